import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@libs/config';
import { startTracing } from '@libs/observability';
import { createApiApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  // off unless the standard OTEL_* variables ask for it; before the HTTP server exists
  const tracing = startTracing('clearance-api', config.tracing);
  const app = await createApiApp(config);
  // flush buffered spans when stopped (Nest's own shutdown hooks close the app meanwhile)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void tracing?.shutdown());
  // dev mode answers only this machine unless HOST says otherwise (dev-login needs no password)
  if (config.http.host) await app.listen(config.port, config.http.host);
  else await app.listen(config.port);
  const logger = new Logger('API');
  logger.log(`listening on ${config.publicUrl} (OpenAPI at ${config.publicUrl}/api/docs)`);
  if (config.devMode && (config.mail.capturePort !== null || config.mail.captureUrl !== null))
    logger.log(`dev mailbox at ${config.publicUrl}/dev/mailbox.html`);
}

main().catch((error: unknown) => {
  new Logger('API').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
