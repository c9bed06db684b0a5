import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replayHistory } from '../../libs/audit';

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
      workflowsPath: require.resolve('../fixtures/nondeterministic-workflow'),
      logger: new DefaultLogger('WARN'),
    });
    const result = await replayHistory(history, { codec: null, workflowBundle: { code: broken.code } });
    expect(result.deterministic).toBe(false);
    expect(result.error).toMatch(/[Nn]ondetermin/);
  });
});
