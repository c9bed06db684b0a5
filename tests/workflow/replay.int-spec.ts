import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Golden histories (tests/histories) must replay against today's workflow code. */
describe('golden histories', () => {
  const dir = path.join(__dirname, '../histories');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('should have a recorded history for each workflow path', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('should replay every recorded history deterministically', async () => {
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, replayName: 'golden' },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });
});
