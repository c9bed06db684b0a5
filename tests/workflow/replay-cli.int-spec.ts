import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HistoryReplayer, replayHistories, replayHistory, type ReplayOutcome } from '@libs/audit';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';

/** What `npm run audit -- replay <file>` does, on golden files, against the current and a broken bundle. */
describe('replayHistory (npm run audit -- replay)', () => {
  const file = path.join(__dirname, '../histories/run-stages-in-order-and-the-parties-of-a-stage-in-parallel.json');
  const history: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const current = { code: fs.readFileSync(process.env.TEST_WORKFLOW_BUNDLE!, 'utf8') };

  it('should report a recorded history as deterministic against the current code', async () => {
    const result = await replayHistory(history, { codec: null, workflowBundle: current });
    expect(result).toEqual({ deterministic: true, eventCount: expect.any(Number), error: null });
    expect(result.eventCount).toBeGreaterThan(50);
  });

  it('should catch a deliberately non-deterministic change and say why', async () => {
    const broken = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLER_OPTIONS,
      workflowsPath: require.resolve('../fixtures/nondeterministic-workflow'),
      logger: new DefaultLogger('WARN'),
    });
    const result = await replayHistory(history, { codec: null, workflowBundle: { code: broken.code } });
    expect(result.deterministic).toBe(false);
    expect(result.error).toMatch(/[Nn]ondetermin/);
  });
});

/** What `npm run audit -- replay-all` and the replay endpoint do: many histories through one replay worker. */
describe('replayHistories and HistoryReplayer (one replay worker for many histories)', () => {
  const dir = path.join(__dirname, '../histories');
  const golden = fs
    .readdirSync(dir)
    // request workflows only: the broken bundle below has no custody workflow to fail on
    .filter((f) => f.endsWith('.json') && !f.startsWith('custody-'))
    .slice(0, 4)
    .map((f) => ({
      workflowId: `request-${f.slice(0, 20)}`,
      history: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown,
    }));
  const current = { code: fs.readFileSync(process.env.TEST_WORKFLOW_BUNDLE!, 'utf8') };

  const collect = async (it: AsyncIterable<ReplayOutcome>) => {
    const outcomes: ReplayOutcome[] = [];
    for await (const o of it) outcomes.push(o);
    return outcomes;
  };

  it('should report each history as replayHistory reports it alone, in order, a refused one in its place', async () => {
    const alone = await Promise.all(
      golden.map((g) => replayHistory(g.history, { codec: null, workflowBundle: current, workflowId: g.workflowId })),
    );
    const batch = [...golden.slice(0, 2), { workflowId: 'request-empty', history: { events: [] } }, ...golden.slice(2)];
    const outcomes = await collect(replayHistories(batch, { codec: null, workflowBundle: current }));
    expect(outcomes.map((o) => o.workflowId)).toEqual(batch.map((b) => b.workflowId));
    expect(outcomes[2]).toEqual({
      workflowId: 'request-empty',
      deterministic: false,
      eventCount: 0,
      error: expect.stringMatching(/at least one event/),
    });
    const replayed = outcomes.filter((o) => o.workflowId !== 'request-empty');
    expect(replayed.map(({ workflowId: _id, ...r }) => r)).toEqual(alone);
    expect(alone.every((r) => r.deterministic && r.eventCount > 10)).toBe(true);
  });

  it('should report every history as not deterministic against a deliberately broken bundle, saying why', async () => {
    const broken = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLER_OPTIONS,
      workflowsPath: require.resolve('../fixtures/nondeterministic-workflow'),
      logger: new DefaultLogger('WARN'),
    });
    const outcomes = await collect(
      replayHistories(golden.slice(0, 2), { codec: null, workflowBundle: { code: broken.code } }),
    );
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o.deterministic).toBe(false);
      expect(o.error).toMatch(/[Nn]ondetermin/);
    }
  });

  it('should answer replays asked at the same time and one after another through a shared replayer', async () => {
    const replayer = new HistoryReplayer({ codec: null, workflowBundle: current, idleMs: 200 });
    try {
      const together = await Promise.all([
        replayer.replay(golden[0].history, golden[0].workflowId),
        replayer.replay({ events: [] }, 'request-empty'),
        replayer.replay(golden[1].history, golden[1].workflowId),
        replayer.replay(golden[0].history, golden[0].workflowId),
      ]);
      expect(together.map((r) => r.deterministic)).toEqual([true, false, true, true]);
      expect(together[0]).toEqual(together[3]);
      // after the idle stop, a new replay starts a new worker
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await replayer.replay(golden[1].history, golden[1].workflowId)).toEqual(together[2]);
    } finally {
      await replayer.close();
    }
    await expect(replayer.replay(golden[0].history)).rejects.toThrow(/closed/);
  });
});
