import { bundleWorkflowCode } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKFLOW_INTERCEPTOR_MODULES } from '@libs/observability/workflow-interceptor-modules';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';

/**
 * Builds the workflow bundle once (production images): the worker loads dist/workflow-bundle.js
 * when it exists instead of running webpack at start-up. A failed build exits non-zero.
 */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLER_OPTIONS,
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  const out = path.resolve(__dirname, '../workflow-bundle.js');
  fs.writeFileSync(out, code);
  process.stdout.write(`workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`workflow bundle failed: ${String(error)}\n`);
  process.exit(1);
});
