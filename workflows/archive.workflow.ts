import { archiveActivities } from './activity-proxies';

const { archiveHistory } = archiveActivities;

/** Started by a request workflow as it ends: waits for it to close, then archives its history. */
export async function archiveHistoryWorkflow(input: { requestId: string; workflowId: string }): Promise<void> {
  await archiveHistory(input);
}
