import type { INestApplication } from '@nestjs/common';
import type { JWK } from 'jose';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createApiApp } from '../../apps/api/app';
import { loadConfig, PROJECT_ROOT, type AppConfig } from '@libs/config';
import { freePort } from '../../scripts/dev-server';
import type { TestDatabase } from './databases';
import { productionEnv } from './factories';
import { Http } from './http';
import { testEnv } from './system';

export interface ProductionApi {
  config: AppConfig;
  http: Http;
  stop(): Promise<void>;
}

/**
 * The API alone in production mode on a fresh database, trusting the tokens of an identity
 * provider (https://idp.example.com/, audience `clearance`) whose JWKS, serving `jwk`, listens on
 * loopback. The seeded dev directory is loaded so the people tests sign in as exist.
 */
export async function startProductionApi(database: TestDatabase, jwk: JWK): Promise<ProductionApi> {
  const jwksServer = http.createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const db = await database.create();
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      ...db.env,
      ...productionEnv({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        AUTH_JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`,
        DIRECTORY_SEED_FILE: path.join(PROJECT_ROOT, 'seeds/directory.dev.json'),
      }),
    }),
  );
  let app: INestApplication | undefined;
  const stop = async () => {
    await app?.close();
    await db.drop();
    jwksServer.close();
  };
  try {
    app = await createApiApp(config);
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await stop();
    throw error;
  }
  return { config, http: new Http(`http://127.0.0.1:${port}`), stop };
}
