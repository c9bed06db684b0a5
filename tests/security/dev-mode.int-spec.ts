import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { ConfigError, loadConfig } from '@libs/config';
import { productionEnv } from '../support/factories';
import { spawnTsChild } from '../support/ts-child';

/**
 * Issue 12, "dev mode fails open": password-less dev-login and the dev mailbox existed in every
 * process that lacked NODE_ENV=production, even one configured with a real database, an https
 * PUBLIC_URL and an identity provider. Dev mode is now on only when asked for, and production
 * refuses the published dev secrets and keys.
 */

/** What an operator forgot NODE_ENV=production on: a real deployment's settings. */
const PRODUCTION_SETTINGS = {
  DATABASE_URL: 'postgres://clearance@db.internal:5432/clearance',
  PUBLIC_URL: 'https://clearance.example.com',
  AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** Runs a process's real entry point the way `node` would, without the test process's dev settings. */
function runEntryPoint(file: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child: ChildProcessWithoutNullStreams = spawnTsChild(`require(ROOT + '/${file}');`, {
    NODE_ENV: '',
    CLEARANCE_DEV_MODE: '',
    LOG_LEVEL: 'error',
    ...env,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, output: `${output}\n(still running after 45 s)` });
    }, 45_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('dev mode only when asked for', () => {
  it('should refuse to start the API with production settings but neither NODE_ENV=production nor dev mode', async () => {
    const { code, output } = await runEntryPoint('apps/api/main.ts', PRODUCTION_SETTINGS);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    for (const name of Object.keys(PRODUCTION_SETTINGS)) expect(output).toContain(name);
    expect(output).toContain('NODE_ENV=production');
  }, 60_000);

  it('should refuse `npm start` with production settings instead of offering dev-login on them', async () => {
    const { code, output } = await runEntryPoint('scripts/start.ts', {
      ...PRODUCTION_SETTINGS,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toContain('DATABASE_URL');
    expect(output).toContain('TEMPORAL_ADDRESS');
    expect(output).not.toContain('Dev mailbox');
  }, 60_000);

  it('should not be in dev mode unless CLEARANCE_DEV_MODE asks for it', () => {
    expect(problems({}).join('\n')).toContain('CLEARANCE_DEV_MODE');
    expect(problems({ NODE_ENV: 'development' }).join('\n')).toContain('CLEARANCE_DEV_MODE');
    expect(loadConfig({ CLEARANCE_DEV_MODE: '1' }).devMode).toBe(true);
    expect(loadConfig({ CLEARANCE_DEV_MODE: 'true' }).devMode).toBe(true);
  });

  it('should name every production setting a process without NODE_ENV=production sees', () => {
    const found = problems({
      ...PRODUCTION_SETTINGS,
      OIDC_ISSUER_URL: 'https://idp.example.com/',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      SMTP_URL: 'smtp://mail.internal:25',
    }).join('\n');
    for (const name of [
      'DATABASE_URL',
      'PUBLIC_URL',
      'AUTH_JWKS_URL',
      'OIDC_ISSUER_URL',
      'TEMPORAL_ADDRESS',
      'SMTP_URL',
    ])
      expect(found).toContain(name);
    // Loopback addresses are what a laptop uses: not production settings.
    expect(
      problems({
        CLEARANCE_DEV_MODE: '1',
        TEMPORAL_ADDRESS: '127.0.0.1:7233',
        SMTP_URL: 'smtp://localhost:2525',
        PUBLIC_URL: 'http://localhost:3000',
      }),
    ).toEqual([]);
    // Asked for explicitly, dev mode may use them (a developer's own PostgreSQL, say).
    expect(loadConfig({ ...PRODUCTION_SETTINGS, CLEARANCE_DEV_MODE: '1' }).devMode).toBe(true);
  });

  it('should refuse dev mode in production', () => {
    expect(problems(productionEnv({ CLEARANCE_DEV_MODE: '1' })).join('\n')).toContain('CLEARANCE_DEV_MODE');
  });

  it('should listen on loopback only in dev mode unless HOST says otherwise, on every interface in production', () => {
    expect(loadConfig({ CLEARANCE_DEV_MODE: '1' }).http.host).toBe('127.0.0.1');
    expect(loadConfig({ CLEARANCE_DEV_MODE: '1', HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
    expect(loadConfig(productionEnv()).http.host).toBeUndefined();
  });
});

describe('production configuration', () => {
  it('should accept a complete production environment', () => {
    expect(problems(productionEnv())).toEqual([]);
    expect(loadConfig(productionEnv()).devMode).toBe(false);
  });

  it('should refuse the published dev link secret, the dev encryption key and the dev audit chain key', () => {
    expect(problems(productionEnv({ LINK_TOKEN_SECRET: 'dev-only-link-secret-change-me-in-production!' }))).toEqual([
      expect.stringMatching(/^LINK_TOKEN_SECRET: /),
    ]);
    const devKey = loadConfig({ CLEARANCE_DEV_MODE: '1' }).encryption.keys[0].key.toString('base64');
    expect(problems(productionEnv({ ENCRYPTION_KEYS: `mine:${devKey}` }))).toEqual([
      expect.stringMatching(/^ENCRYPTION_KEYS: .*dev key/),
    ]);
    const devChainKey = loadConfig({ CLEARANCE_DEV_MODE: '1' }).auditChain.keys[0].key.toString('base64');
    expect(problems(productionEnv({ AUDIT_CHAIN_KEYS: `mine:${devChainKey}` }))).toEqual([
      expect.stringMatching(/^AUDIT_CHAIN_KEYS: .*dev key/),
    ]);
    expect(
      problems(productionEnv({ UPDATE_PROOF_SECRET: 'dev-only-update-proof-secret-change-me-in-production!' })),
    ).toEqual([expect.stringMatching(/^UPDATE_PROOF_SECRET: .*dev secret/)]);
  });

  it('should refuse an http PUBLIC_URL (except loopback, which serves nobody else) and require one', () => {
    expect(problems(productionEnv({ PUBLIC_URL: 'http://clearance.example.com' }))).toEqual([
      expect.stringMatching(/^PUBLIC_URL: .*https/),
    ]);
    expect(problems(productionEnv({ PUBLIC_URL: 'http://127.0.0.1:3000' }))).toEqual([]);
    const { PUBLIC_URL: _unset, ...withoutUrl } = productionEnv();
    expect(problems(withoutUrl)).toEqual([expect.stringMatching(/^PUBLIC_URL: /)]);
  });

  it('should cap LINK_TOKEN_TTL at 14 days and refuse what it cannot read', () => {
    expect(problems(productionEnv({ LINK_TOKEN_TTL: '14d' }))).toEqual([]);
    expect(problems(productionEnv({ LINK_TOKEN_TTL: '48h' }))).toEqual([]);
    expect(problems(productionEnv({ LINK_TOKEN_TTL: '15d' }))).toEqual([
      expect.stringMatching(/^LINK_TOKEN_TTL: .*14/),
    ]);
    expect(problems(productionEnv({ LINK_TOKEN_TTL: '52w' }))).toEqual([expect.stringMatching(/^LINK_TOKEN_TTL: /)]);
    expect(problems(productionEnv({ LINK_TOKEN_TTL: 'forever' }))).toEqual([
      expect.stringMatching(/^LINK_TOKEN_TTL: /),
    ]);
  });

  it('should pin JWT algorithms and require a verified email by default, both configurable', () => {
    expect(loadConfig(productionEnv()).auth).toMatchObject({
      algorithms: ['RS256', 'ES256', 'PS256'],
      requireEmailVerified: true,
    });
    expect(
      loadConfig(productionEnv({ AUTH_JWT_ALGORITHMS: 'ES384, EdDSA', AUTH_REQUIRE_EMAIL_VERIFIED: 'false' })).auth,
    ).toMatchObject({ algorithms: ['ES384', 'EdDSA'], requireEmailVerified: false });
    expect(problems(productionEnv({ AUTH_JWT_ALGORITHMS: 'HS256' }))).toEqual([
      expect.stringMatching(/^AUTH_JWT_ALGORITHMS: /),
    ]);
    expect(problems(productionEnv({ AUTH_JWT_ALGORITHMS: 'none' }))).toEqual([
      expect.stringMatching(/^AUTH_JWT_ALGORITHMS: /),
    ]);
  });
});
