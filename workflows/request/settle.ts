import { allHandlersFinished, condition, log, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { workflowIdFor } from '@libs/contracts';
import { archiveHistoryWorkflow } from '../archive.workflow';
import type { RequestRun } from './run';

/**
 * The request is settled: tell the requester the outcome (unless they were told already), let the
 * Updates in flight answer, and start the archiving of this history, which outlives the run.
 */
export async function settle(run: RequestRun): Promise<void> {
  // A committer cancelled while its state waited to be written leaves it to this flush.
  if (run.cheaper) await run.allProjected();
  const final = run.current();
  if (final.seq !== run.lastRequesterNotice) await run.tellRequester(final);
  await condition(allHandlersFinished);
  if (run.since('archive-on-close')) {
    // Its history is archived once it has closed, so it outlives the namespace's retention.
    const workflowId = workflowIdFor(run.requestId);
    await startChild(archiveHistoryWorkflow, {
      workflowId: `archive-${workflowId}`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ requestId: run.requestId, workflowId }],
    });
  }
  log.info('request settled', { requestId: run.requestId, status: run.current().status });
}
