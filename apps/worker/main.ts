import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@libs/config';
import { createRootLogger, installWorkerRuntime, PinoNestLogger, startTracing } from '@libs/observability';
import { createClearanceWorker } from './worker';

const logger = new Logger('Worker');

/** The worker process: polls the task queue until SIGTERM/SIGINT, then drains and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  // JSON lines through pino: Nest's logger, the SDK's, workflow and activity `log` (libs/observability)
  const root = createRootLogger('clearance-worker', config.logLevel);
  Logger.overrideLogger(new PinoNestLogger(root));
  const tracing = startTracing('clearance-worker', config.tracing);
  installWorkerRuntime(root, config.metrics.workerAddress);
  if (config.metrics.workerAddress)
    logger.log(`Temporal SDK metrics on http://${config.metrics.workerAddress}/metrics`);
  const prebuilt = path.resolve(__dirname, '../../workflow-bundle.js');
  const workflowBundle = fs.existsSync(prebuilt) ? { codePath: prebuilt } : undefined;
  const { worker, close } = await createClearanceWorker(config, { workflowBundle, tracing });
  if (config.encryption.devKey)
    logger.log('ENCRYPTION_KEYS is unset: payloads are sealed with the public dev key dev-1');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, draining`);
      worker.shutdown();
    });
  }
  logger.log(
    `polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (${config.temporal.namespace})`,
  );
  await worker.run();
  await close();
  await tracing?.shutdown();
  logger.log('stopped');
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
