import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKFLOW_BUNDLER_OPTIONS } from '../temporal/workflow-bundler';

export interface ReplayResult {
  deterministic: boolean;
  eventCount: number;
  error: string | null;
}

/** One history to replay: Temporal's standard JSON export, and the workflow ID it ran under. */
export interface HistoryToReplay {
  workflowId: string;
  history: unknown;
}

export type ReplayOutcome = ReplayResult & { workflowId: string };

export interface ReplayOptions {
  codec: PayloadCodec | null;
  workflowBundle?: { code: string };
}

let bundle: Promise<{ code: string }> | undefined;

/** The current workflow code: the prebuilt bundle of a production image, or one built once per process. */
function currentBundle(): Promise<{ code: string }> {
  const prebuilt = path.resolve(__dirname, '../../workflow-bundle.js');
  bundle ??= fs.existsSync(prebuilt)
    ? Promise.resolve({ code: fs.readFileSync(prebuilt, 'utf8') })
    : bundleWorkflowCode({
        ...WORKFLOW_BUNDLER_OPTIONS,
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

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The JSON export as the SDK's history, refusing what the replay worker would refuse (no events). */
function historyOf(
  json: unknown,
): temporal.api.history.v1.IHistory & { events: temporal.api.history.v1.IHistoryEvent[] } {
  const history = historyFromJSON(json);
  if (!history.events?.length) throw new TypeError('Expected a history with at least one event');
  return { ...history, events: history.events };
}

/**
 * Replays histories against the current workflow code through one replay worker (the SDK's
 * `Worker.runReplayHistories`), yielding one outcome per history, in the order given, each exactly
 * what `replayHistory` reports for it alone. A history the worker cannot take (not a history, no
 * events) fails alone; a replay worker that dies takes down only the history it was replaying, and a
 * fresh one carries on with the rest. An error of the source itself (e.g. an archive that fails its
 * check) ends the iteration with that error.
 */
export async function* replayHistories(
  histories: AsyncIterable<HistoryToReplay> | Iterable<HistoryToReplay>,
  options: ReplayOptions,
): AsyncGenerator<ReplayOutcome> {
  const source: AsyncIterator<HistoryToReplay> | Iterator<HistoryToReplay> =
    Symbol.asyncIterator in histories ? histories[Symbol.asyncIterator]() : histories[Symbol.iterator]();
  const workerOptions = {
    workflowBundle: options.workflowBundle ?? (await currentBundle()),
    ...(options.codec ? { dataConverter: { payloadCodecs: [options.codec] } } : {}),
  };
  /** Histories refused before reaching the worker, reported in their place in the order. */
  const refused: ReplayOutcome[] = [];
  let inFlight: { workflowId: string; eventCount: number } | null = null;
  let sourceFailed: { error: unknown } | null = null;
  let exhausted = false;
  const pull = async (): Promise<IteratorResult<HistoryAndWorkflowId, undefined>> => {
    for (;;) {
      let item: IteratorResult<HistoryToReplay>;
      try {
        item = await source.next();
      } catch (error) {
        sourceFailed = { error };
        throw error;
      }
      if (item.done) {
        exhausted = true;
        return { done: true, value: undefined };
      }
      const { workflowId, history } = item.value;
      try {
        const parsed = historyOf(history);
        inFlight = { workflowId, eventCount: parsed.events.length };
        return { done: false, value: { workflowId, history: parsed } };
      } catch (error) {
        refused.push({ workflowId, deterministic: false, eventCount: 0, error: describeError(error) });
      }
    }
  };
  // No `return` on purpose: a worker that stops early must not close the source the next one reads.
  const feed: AsyncIterable<HistoryAndWorkflowId> = { [Symbol.asyncIterator]: () => ({ next: pull }) };
  while (!exhausted) {
    try {
      for await (const result of Worker.runReplayHistories(workerOptions, feed)) {
        const replayed: { workflowId: string; eventCount: number } = inFlight!;
        inFlight = null;
        yield* refused.splice(0);
        yield result.error
          ? { ...replayed, deterministic: false, error: describeError(result.error) }
          : { ...replayed, deterministic: true, error: null };
      }
      exhausted = true;
    } catch (error) {
      if (sourceFailed) throw (sourceFailed as { error: unknown }).error;
      yield* refused.splice(0);
      const failed = inFlight as { workflowId: string; eventCount: number } | null;
      inFlight = null;
      if (failed) {
        yield { ...failed, deterministic: false, error: describeError(error) };
        continue;
      }
      // The worker failed before taking a history (e.g. a bundle it cannot load): that is the next one's result.
      const next = await pull();
      if (next.done) break;
      const taken = inFlight as { workflowId: string; eventCount: number } | null;
      inFlight = null;
      yield* refused.splice(0);
      if (taken) yield { ...taken, deterministic: false, error: describeError(error) };
    }
  }
  yield* refused.splice(0);
}

/**
 * Replays one history (Temporal's standard JSON export) against the current workflow code, decoding
 * payloads through the codec. Deterministic means today's code makes the same decisions.
 */
export async function replayHistory(
  historyJson: unknown,
  options: ReplayOptions & { workflowId?: string },
): Promise<ReplayResult> {
  for await (const outcome of replayHistories(
    [{ workflowId: options.workflowId ?? 'fake', history: historyJson }],
    options,
  )) {
    return { deterministic: outcome.deterministic, eventCount: outcome.eventCount, error: outcome.error };
  }
  throw new Error('the replay worker reported no result');
}

interface ReplayJob extends HistoryToReplay {
  resolve: (result: ReplayResult) => void;
  reject: (error: unknown) => void;
}

/**
 * A replay worker kept for a while and shared by the replays asked of it (the API's replay endpoint):
 * histories queue and replay one after another through the same worker, which stops after `idleMs`
 * without work (and on `close`). Each replay's result is what `replayHistory` reports for it.
 */
export class HistoryReplayer {
  private readonly waiting: ReplayJob[] = [];
  private readonly replaying: ReplayJob[] = [];
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: ReplayOptions & { idleMs?: number }) {}

  replay(history: unknown, workflowId = 'fake'): Promise<ReplayResult> {
    if (this.closed) return Promise.reject(new Error('the history replayer is closed'));
    return new Promise<ReplayResult>((resolve, reject) => {
      this.waiting.push({ workflowId, history, resolve, reject });
      this.wake?.();
      this.running ??= this.run();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async *jobs(): AsyncGenerator<HistoryToReplay> {
    for (;;) {
      const job = this.waiting.shift();
      if (job) {
        this.replaying.push(job);
        yield { workflowId: job.workflowId, history: job.history };
        continue;
      }
      if (this.closed) return;
      const arrived = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.options.idleMs ?? 30_000);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = null;
      if (!arrived && this.waiting.length === 0) return;
    }
  }

  private async run(): Promise<void> {
    try {
      for await (const outcome of replayHistories(this.jobs(), this.options)) {
        const { workflowId: _replayed, ...result } = outcome;
        this.replaying.shift()?.resolve(result);
      }
    } catch (error) {
      for (const job of this.replaying.splice(0)) job.reject(error);
    } finally {
      this.running = null;
      if (this.waiting.length > 0) {
        if (this.closed)
          for (const job of this.waiting.splice(0)) job.reject(new Error('the history replayer is closed'));
        else this.running = this.run();
      }
    }
  }
}
