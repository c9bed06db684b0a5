import type { PayloadCodec } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ReplayResult {
  deterministic: boolean;
  eventCount: number;
  error: string | null;
}

let bundle: Promise<{ code: string }> | undefined;

/** The current workflow code: the prebuilt bundle of a production image, or one built once per process. */
function currentBundle(): Promise<{ code: string }> {
  const prebuilt = path.resolve(__dirname, '../../workflow-bundle.js');
  bundle ??= fs.existsSync(prebuilt)
    ? Promise.resolve({ code: fs.readFileSync(prebuilt, 'utf8') })
    : bundleWorkflowCode({
        workflowsPath: require.resolve('../../workflows'),
        logger: new DefaultLogger('WARN'),
      }).then((b: WorkflowBundleWithSourceMap) => ({ code: b.code }));
  return bundle;
}

/** SHA-256 of the workflow code replays run against: the "code version" of an evidence pack. */
export async function currentWorkflowCodeSha256(): Promise<string> {
  const { code } = await currentBundle();
  return createHash('sha256').update(code).digest('hex');
}

/**
 * Replays a history (Temporal's standard JSON export) against the current workflow code, decoding
 * payloads through the codec. Deterministic means today's code makes the same decisions.
 */
export async function replayHistory(
  historyJson: unknown,
  options: { workflowId?: string; codec: PayloadCodec | null; workflowBundle?: { code: string } },
): Promise<ReplayResult> {
  const history = historyFromJSON(historyJson);
  const eventCount = history.events?.length ?? 0;
  try {
    await Worker.runReplayHistory(
      {
        workflowBundle: options.workflowBundle ?? (await currentBundle()),
        ...(options.codec ? { dataConverter: { payloadCodecs: [options.codec] } } : {}),
      },
      history,
      options.workflowId,
    );
    return { deterministic: true, eventCount, error: null };
  } catch (error) {
    return {
      deterministic: false,
      eventCount,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}
