import { bundleWorkflowCode } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
// Relative paths here: jest's globalSetup runs outside its module registry, so the @libs alias is not mapped.
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../libs/observability/workflow-interceptor-modules';
import { WORKFLOW_BUNDLER_OPTIONS } from '../../libs/temporal/workflow-bundler';
import { startDevServer, type DevServer } from '../../scripts/dev-server';

declare global {
  var __clearanceDevServer: DevServer | undefined;
}

/**
 * Once per `npm test`: one real Temporal dev server (built from Go when missing) and one workflow
 * bundle, shared by every test file through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const server = await startDevServer({ headless: true });
  globalThis.__clearanceDevServer = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-test-'));
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLER_OPTIONS,
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TMP_DIR = dir;

  const pgUrl = process.env.TEST_POSTGRES_URL;
  if (pgUrl) {
    // Fail loudly rather than skip: CI sets this to run every database test on PostgreSQL too.
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  }
  process.stderr.write(
    `\n[tests] Temporal dev server at ${server.address}; databases: sqlite${pgUrl ? ' + postgres' : ' (set TEST_POSTGRES_URL to add postgres)'}; ready in ${Date.now() - started} ms\n`,
  );
}
