import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('should give a working development configuration with no variables at all', () => {
    const config = loadConfig({});
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

  it('should use PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/clearance' }).database).toEqual({
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
    expect(named).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER', 'AUTH_JWKS_URL', 'LINK_TOKEN_SECRET', 'PORT']);
  });

  it('should turn off the dev mailbox and the seed file in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LINK_TOKEN_SECRET: 'x'.repeat(32),
      AUTH_ISSUER: 'https://idp',
      AUTH_AUDIENCE: 'clearance',
      AUTH_JWKS_URL: 'https://idp/jwks',
    });
    expect(config.devMode).toBe(false);
    expect(config.mail.capturePort).toBeNull();
    expect(config.directorySeedFile).toBeUndefined();
  });
});
