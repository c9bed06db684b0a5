/**
 * The API process of `npm run chaos`: apps/api/main.ts, but listening on loopback only (the drill
 * must not open a port to the network). Shutdown hooks (SIGTERM) are the app's own.
 */
import 'reflect-metadata';
import { createApiApp } from '../../apps/api/app';
import { loadConfig } from '@libs/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port, '127.0.0.1');
  process.stdout.write(`chaos api listening on 127.0.0.1:${config.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `chaos api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
