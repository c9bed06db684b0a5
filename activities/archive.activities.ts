import { ApplicationFailure, Context } from '@temporalio/activity';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { HistoryArchiveRepository } from '@libs/persistence';

/** Stores the full history of a closed workflow in the database, past the namespace's retention. */
export class ArchiveActivities {
  constructor(private readonly archives: HistoryArchiveRepository) {}

  /** Retried (by policy) until the workflow has closed; then exports and stores its history once. */
  async archiveHistory(input: {
    requestId: string;
    workflowId: string;
  }): Promise<{ sha256: string; eventCount: number }> {
    const existing = await this.archives.get(input.workflowId);
    if (existing) return { sha256: existing.sha256, eventCount: existing.eventCount };
    const handle = Context.current().client.workflow.getHandle(input.workflowId);
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') {
      throw ApplicationFailure.retryable(`${input.workflowId} has not closed yet`, 'NOT_CLOSED');
    }
    const history = await handle.fetchHistory();
    const saved = await this.archives.save({
      workflowId: input.workflowId,
      requestId: input.requestId,
      json: historyToJSON(history),
      eventCount: history.events?.length ?? 0,
    });
    return { sha256: saved.sha256, eventCount: saved.eventCount };
  }
}
