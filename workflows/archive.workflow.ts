import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { archiveHistory } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Started by a request workflow as it ends: waits for it to close, then archives its history. */
export async function archiveHistoryWorkflow(input: { requestId: string; workflowId: string }): Promise<void> {
  await archiveHistory(input);
}
