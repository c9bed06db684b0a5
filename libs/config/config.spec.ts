import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config';
import { productionEnv } from '../../tests/support/factories';
import { DEV_ENCRYPTION_KEY_ID } from './encryption-keys';

const key = () => randomBytes(32).toString('base64');
/** Dev mode, asked for as `npm start` and the tests do. */
const dev = (env: Record<string, string> = {}) => ({ CLEARANCE_DEV_MODE: '1', ...env });

describe('loadConfig', () => {
  it('should give a working dev mode configuration with CLEARANCE_DEV_MODE=1 alone', () => {
    const config = loadConfig(dev());
    expect(config).toMatchObject({
      env: 'development',
      devMode: true,
      port: 3000,
      publicUrl: 'http://localhost:3000',
      database: { type: 'sqlite' },
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'clearance' },
      mail: { smtpUrl: 'smtp://127.0.0.1:2525', capturePort: 2525 },
      linkTokens: { ttl: '7d' },
    });
    expect(config.directorySeedFile).toMatch(/seeds\/directory\.dev\.json$/);
  });

  it('should read the mailbox of a standalone capture instead of starting one when SMTP_CAPTURE_URL is set', () => {
    expect(loadConfig(dev({ SMTP_CAPTURE_URL: 'http://127.0.0.1:2526/' })).mail).toMatchObject({
      capturePort: null,
      captureUrl: 'http://127.0.0.1:2526',
    });
    expect(loadConfig(dev()).mail.captureUrl).toBeNull();
  });

  it('should bound the worker cache and the custody window when asked, naming a bad value', () => {
    expect(loadConfig(dev())).toMatchObject({ worker: { maxCachedWorkflows: 250 }, custody: { dueSoonDays: 7 } });
    expect(loadConfig(dev({ WORKER_MAX_CACHED_WORKFLOWS: '500', CUSTODY_DUE_SOON_DAYS: '14' }))).toMatchObject({
      worker: { maxCachedWorkflows: 500 },
      custody: { dueSoonDays: 14 },
    });
    const bad = () => loadConfig(dev({ WORKER_MAX_CACHED_WORKFLOWS: 'many', CUSTODY_DUE_SOON_DAYS: '0' }));
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const named = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
      expect(named).toEqual(['CUSTODY_DUE_SOON_DAYS', 'WORKER_MAX_CACHED_WORKFLOWS']);
    }
  });

  it('should use PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig(dev({ DATABASE_URL: 'postgres://u@db/clearance' })).database).toEqual({
      type: 'postgres',
      url: 'postgres://u@db/clearance',
    });
  });

  it('should name every missing or bad variable in production', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty', LINK_TOKEN_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual([
      'AUDIT_CHAIN_KEYS',
      'AUTH_AUDIENCE',
      'AUTH_ISSUER',
      'AUTH_JWKS_URL',
      'ENCRYPTION_KEYS',
      'LINK_TOKEN_SECRET',
      'PORT',
      'PUBLIC_URL',
      'UPDATE_PROOF_SECRET',
    ]);
  });

  it('should turn off the dev mailbox and the seed file in production', () => {
    const config = loadConfig(productionEnv());
    expect(config.devMode).toBe(false);
    expect(config.mail.capturePort).toBeNull();
    expect(config.directorySeedFile).toBeUndefined();
  });

  it('should give development a fixed, labelled dev key and the default Temporal UI origin', () => {
    const config = loadConfig(dev());
    expect(config.encryption).toMatchObject({ activeKeyId: DEV_ENCRYPTION_KEY_ID, devKey: true });
    expect(config.encryption.keys).toEqual([{ id: 'dev-1', key: expect.any(Buffer) }]);
    expect(config.encryption.keys[0].key).toHaveLength(32);
    expect(loadConfig(dev()).encryption.keys[0].key.equals(config.encryption.keys[0].key)).toBe(true);
    expect(config.temporalUiOrigins).toEqual(['http://localhost:8233']);
  });

  it('should give the audit chain its own keys: a labelled dev key, else AUDIT_CHAIN_KEYS with the first signing', () => {
    const devChain = loadConfig(dev()).auditChain;
    expect(devChain).toMatchObject({ activeKeyId: 'dev-audit-1', devKey: true });
    expect(devChain.keys[0].key.equals(loadConfig(dev()).encryption.keys[0].key)).toBe(false);
    const [a, b] = [key(), key()];
    const config = loadConfig(dev({ AUDIT_CHAIN_KEYS: `audit-2031:${a},audit-2030:${b}` })).auditChain;
    expect(config).toMatchObject({ activeKeyId: 'audit-2031', devKey: false });
    expect(config.keys.map((k) => k.id)).toEqual(['audit-2031', 'audit-2030']);
    expect(() => loadConfig(dev({ AUDIT_CHAIN_KEYS: 'nocolon' }))).toThrow(
      'AUDIT_CHAIN_KEYS: entry 1 is not keyId:base64key',
    );
  });

  it('should read several keys, the first active unless ENCRYPTION_ACTIVE_KEY_ID names another', () => {
    const [a, b] = [key(), key()];
    const keys = `k-2030:${a}, k-2031:${b}`;
    const config = loadConfig(dev({ ENCRYPTION_KEYS: keys }));
    expect(config.encryption.activeKeyId).toBe('k-2030');
    expect(config.encryption.devKey).toBe(false);
    expect(config.encryption.keys.map((k) => [k.id, k.key.toString('base64')])).toEqual([
      ['k-2030', a],
      ['k-2031', b],
    ]);
    expect(loadConfig(dev({ ENCRYPTION_KEYS: keys, ENCRYPTION_ACTIVE_KEY_ID: 'k-2031' })).encryption.activeKeyId).toBe(
      'k-2031',
    );
  });

  it('should refuse malformed keys, short keys, duplicate ids and an unknown active key, without echoing keys', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(dev(env));
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    const short = randomBytes(16).toString('base64');
    const found = problems({ ENCRYPTION_KEYS: `nocolon,k1:${short},k2:not base64!,k3:${key()},k3:${key()}` });
    expect(found).toEqual([
      'ENCRYPTION_KEYS: entry 1 is not keyId:base64key',
      expect.stringMatching(/^ENCRYPTION_KEYS: entry 2: key "k1" must be exactly 32 bytes/),
      expect.stringMatching(/^ENCRYPTION_KEYS: entry 3: key "k2" must be exactly 32 bytes/),
      'ENCRYPTION_KEYS: entry 5: key id "k3" appears twice',
    ]);
    expect(found.join('\n')).not.toContain(short);
    expect(problems({ ENCRYPTION_KEYS: `k1:${key()}`, ENCRYPTION_ACTIVE_KEY_ID: 'k9' })).toEqual([
      'ENCRYPTION_ACTIVE_KEY_ID: "k9" is not a key of ENCRYPTION_KEYS (k1)',
    ]);
    expect(problems({ ENCRYPTION_ACTIVE_KEY_ID: 'k9' })).toHaveLength(1);
    expect(problems({ TEMPORAL_UI_ORIGIN: 'http://localhost:8233/ui' })).toEqual([
      'TEMPORAL_UI_ORIGIN: not an origin (scheme://host[:port], no path): http://localhost:8233/ui',
    ]);
    expect(
      loadConfig(dev({ TEMPORAL_UI_ORIGIN: 'http://localhost:8233, http://127.0.0.1:8233' })).temporalUiOrigins,
    ).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
  });
});
