import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../libs/config';
import { createApiApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port);
  const logger = new Logger('API');
  logger.log(`listening on ${config.publicUrl} (OpenAPI at ${config.publicUrl}/api/docs)`);
  if (config.devMode && config.mail.capturePort !== null)
    logger.log(`dev mailbox at ${config.publicUrl}/dev/mailbox.html`);
}

main().catch((error: unknown) => {
  new Logger('API').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
