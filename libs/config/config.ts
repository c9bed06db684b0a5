import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateIf,
} from 'class-validator';
import * as path from 'node:path';
import {
  isDevAuditChainKey,
  isDevEncryptionKey,
  parseAuditChainKeys,
  parseEncryptionKeys,
  type EncryptionConfig,
} from './encryption-keys';
import { PROJECT_ROOT } from './project-root';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const DEV_LINK_SECRET = 'dev-only-link-secret-change-me-in-production!';
const DEV_AUTH_SECRET = 'dev-only-auth-secret-change-me-in-production!';
const DEV_UPDATE_PROOF_SECRET = 'dev-only-update-proof-secret-change-me-in-production!';

/** Asymmetric JWS algorithms the API may be told to accept; HS* and `none` never (alg confusion). */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Approval links are credentials sent by email: they must not outlive a fortnight. */
const MAX_LINK_TOKEN_TTL_SECONDS = 14 * 86_400;
/** The worker's sticky cache when WORKER_MAX_CACHED_WORKFLOWS is unset (measured in docs/benchmarks.md). */
const DEFAULT_MAX_CACHED_WORKFLOWS = 250;
const DURATION = /^(\d+) ?(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const isTrue = ({ value }: { value: unknown }): boolean | undefined =>
  value === undefined || value === ''
    ? undefined
    : ['1', 'true', 'yes', 'on'].includes(`${value as string}`.toLowerCase());
const isTrueOr =
  (fallback: boolean) =>
  ({ value }: { value: unknown }) =>
    isTrue({ value }) ?? fallback;

/** Every environment variable Clearance reads, validated once at boot. `.env.example` documents them. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  /** Dev mode (dev-login, dev mailbox, seeded directory, dev secrets and keys) only when asked for. */
  @Transform(isTrueOr(false))
  @IsBoolean()
  CLEARANCE_DEV_MODE: boolean = false;

  /** Address the HTTP server binds; default 127.0.0.1 in dev mode, every interface in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  HOST?: string;

  /** Express `trust proxy`: hops (a number), `true`, or addresses/subnets of the proxies in front. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsString()
  SQLITE_PATH: string = 'data/clearance.sqlite';

  @IsString()
  TEMPORAL_ADDRESS: string = '127.0.0.1:7233';

  @IsString()
  TEMPORAL_NAMESPACE: string = 'default';

  @IsString()
  TEMPORAL_TASK_QUEUE: string = 'clearance';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TEMPORAL_TLS_CERT_PATH?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TEMPORAL_TLS_KEY_PATH?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TEMPORAL_TLS_CA_PATH?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TEMPORAL_TLS_SERVER_NAME?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TEMPORAL_API_KEY?: string;

  @IsString()
  SMTP_URL: string = 'smtp://127.0.0.1:2525';

  @IsString()
  MAIL_FROM: string = 'Clearance <clearance@example.com>';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  SMTP_CAPTURE_PORT: number = 2525;

  /** Dev mode: the mailbox of a standalone SMTP capture shared by several APIs (`npm run start:cluster`). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http'] })
  SMTP_CAPTURE_URL?: string;

  @ValidateIf((env: EnvironmentVariables) => !env.CLEARANCE_DEV_MODE || env.LINK_TOKEN_SECRET !== undefined)
  @IsString({ message: 'LINK_TOKEN_SECRET is required outside dev mode' })
  @MinLength(32, { message: 'LINK_TOKEN_SECRET must be at least 32 characters' })
  LINK_TOKEN_SECRET?: string;

  @IsString()
  @Matches(DURATION, { message: 'LINK_TOKEN_TTL must be a duration such as 7d, 48h or 90m' })
  LINK_TOKEN_TTL: string = '7d';

  /** The API's secret behind every request's update-proof key (libs/contracts/update-proof.ts). */
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.UPDATE_PROOF_SECRET !== undefined)
  @IsString({ message: 'UPDATE_PROOF_SECRET is required in production (32+ characters)' })
  @MinLength(32, { message: 'UPDATE_PROOF_SECRET must be at least 32 characters' })
  UPDATE_PROOF_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32)
  AUTH_DEV_SECRET?: string;

  @ValidateIf((env: EnvironmentVariables) => !env.CLEARANCE_DEV_MODE)
  @IsString({ message: 'AUTH_ISSUER is required in production' })
  AUTH_ISSUER?: string;

  @ValidateIf((env: EnvironmentVariables) => !env.CLEARANCE_DEV_MODE)
  @IsString({ message: 'AUTH_AUDIENCE is required in production' })
  AUTH_AUDIENCE?: string;

  @ValidateIf((env: EnvironmentVariables) => !env.CLEARANCE_DEV_MODE || env.AUTH_JWKS_URL !== undefined)
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'AUTH_JWKS_URL must be the URL of the identity provider JWKS' },
  )
  AUTH_JWKS_URL?: string;

  @IsString()
  AUTH_EMAIL_CLAIM: string = 'email';

  /** Refuse identity-provider tokens unless `email_verified` is true (turn off only for providers that never send it). */
  @Transform(isTrueOr(true))
  @IsBoolean()
  AUTH_REQUIRE_EMAIL_VERIFIED: boolean = true;

  /** Comma-separated JWS algorithms accepted on identity-provider tokens. */
  @IsString()
  AUTH_JWT_ALGORITHMS: string = 'RS256,ES256,PS256';

  /** Rate limits: the window, requests per window per client address on each unauthenticated/link route, and policy evaluations per window per person (0: off). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WINDOW: number = 60;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PUBLIC: number = 60;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_EVALUATE: number = 60;

  /** The custodian's "due back soon": released passports due within this many days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(90)
  CUSTODY_DUE_SOON_DAYS: number = 7;

  /** The pages' sign-in (authorization code + PKCE); unset: no OIDC button (dev mode lists seeded people). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true },
    { message: 'OIDC_ISSUER_URL must be the issuer URL (discovery)' },
  )
  OIDC_ISSUER_URL?: string;

  @ValidateIf((env: EnvironmentVariables) => Boolean(env.OIDC_ISSUER_URL))
  @IsString({ message: 'OIDC_CLIENT_ID is required with OIDC_ISSUER_URL' })
  OIDC_CLIENT_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  OIDC_CLIENT_SECRET?: string;

  @IsString()
  OIDC_SCOPES: string = 'openid email profile';

  @IsString()
  OIDC_PROVIDER_NAME: string = 'your organisation';

  @IsIn(['id_token', 'access_token'], { message: 'OIDC_SESSION_TOKEN must be id_token or access_token' })
  OIDC_SESSION_TOKEN: 'id_token' | 'access_token' = 'id_token';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DIRECTORY_SEED_FILE?: string;

  @IsString()
  BODY_LIMIT: string = '64kb';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  /** `keyId:base64key,…` (32-byte AES-256 keys); checked by parseEncryptionKeys. */
  @ValidateIf((env: EnvironmentVariables) => !env.CLEARANCE_DEV_MODE || env.ENCRYPTION_KEYS !== undefined)
  @IsString({ message: 'ENCRYPTION_KEYS is required in production (comma-separated keyId:base64key pairs)' })
  ENCRYPTION_KEYS?: string;

  @IsOptional()
  @IsString()
  ENCRYPTION_ACTIVE_KEY_ID?: string;

  /** `keyId:base64key,…` (32-byte HMAC keys of the audit chain, the first signs); checked by parseAuditChainKeys. */
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.AUDIT_CHAIN_KEYS !== undefined)
  @IsString({ message: 'AUDIT_CHAIN_KEYS is required in production (comma-separated keyId:base64key pairs)' })
  AUDIT_CHAIN_KEYS?: string;

  /** Comma-separated origins of the Temporal Web UI allowed to call /codec/* from a browser. */
  @IsString()
  TEMPORAL_UI_ORIGIN: string = 'http://localhost:8233';

  /** Bearer token Prometheus sends to GET /metrics; required for /metrics in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** host:port where the worker serves the Temporal SDK's Prometheus metrics (unset: off). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^\s:/]+:\d{1,5}$/, { message: 'WORKER_METRICS_ADDRESS must be host:port, e.g. 0.0.0.0:9464' })
  WORKER_METRICS_ADDRESS?: string;

  /**
   * Workflows a worker keeps in memory between tasks (the SDK's sticky cache). 250 by default: a bound
   * keeps a worker's memory flat however many requests wait (829.6 MiB with 10,000 open, docs/benchmarks.md),
   * and a request evicted from the cache is replayed from its history on its next decision. 0: no cache.
   */
  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: 'WORKER_MAX_CACHED_WORKFLOWS must be a whole number' })
  @Min(0)
  WORKER_MAX_CACHED_WORKFLOWS?: number;

  /** The worker's metrics URL as the API reaches it; GET /metrics appends what it serves. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  WORKER_METRICS_URL?: string;

  /** Standard OpenTelemetry switches; tracing is off unless they ask for it (libs/observability/tracing.ts). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['true', 'false'])
  OTEL_SDK_DISABLED?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['otlp', 'none'], { message: 'OTEL_TRACES_EXPORTER: only otlp (OTLP/HTTP) or none is supported' })
  OTEL_TRACES_EXPORTER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  /** Dev conveniences (dev-login, seeded directory, dev mailbox, dev secrets and keys) exist only when this is true. */
  devMode: boolean;
  port: number;
  /** Where the HTTP server listens (undefined: every interface) and which proxies' X-Forwarded-For it believes. */
  http: { host?: string; trustProxy?: boolean | number | string };
  publicUrl: string;
  database: { type: 'postgres'; url: string } | { type: 'sqlite'; path: string };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    apiKey?: string;
  };
  /**
   * capturePort: the SMTP capture this API starts (dev mode); captureUrl: instead, the standalone
   * capture whose mailbox /dev/mailbox reads (dev mode, SMTP_CAPTURE_URL).
   */
  mail: { smtpUrl: string; from: string; capturePort: number | null; captureUrl: string | null };
  linkTokens: { secret: string; ttl: string };
  /** Secret from which the API derives each request's update-proof key; only the API needs it. */
  updateProofs: { secret: string };
  auth: {
    devSecret: string;
    issuer?: string;
    audience?: string;
    jwksUrl?: string;
    emailClaim: string;
    /** Identity-provider tokens need `email_verified: true`. */
    requireEmailVerified: boolean;
    /** JWS algorithms accepted on identity-provider tokens. */
    algorithms: string[];
  };
  oidc: {
    issuerUrl?: string;
    clientId?: string;
    clientSecret?: string;
    scopes: string;
    providerName: string;
    /** Which of the provider's tokens becomes the session; the API verifies it like any bearer token. */
    sessionToken: 'id_token' | 'access_token';
  };
  directorySeedFile?: string;
  bodyLimit: string;
  logLevel: string;
  /** AES-256-GCM keys for Temporal payloads and passport numbers (libs/crypto Keyring). */
  encryption: EncryptionConfig;
  /** HMAC-SHA256 keys that sign every audit log row (libs/crypto ChainMac); kept outside the database. */
  auditChain: EncryptionConfig;
  /** Browser origins of the Temporal Web UI, the only ones CORS lets call the codec server. */
  temporalUiOrigins: string[];
  /** GET /metrics (libs/observability, apps/api/metrics) and the worker's SDK metrics endpoint. */
  metrics: { token?: string; workerAddress?: string; workerUrl?: string };
  /** OpenTelemetry tracing, on only when the standard OTEL_* variables ask for it. */
  tracing: { enabled: boolean };
  /** Requests per window: per client address on each unauthenticated or link route, per person on policy evaluation (0: off). */
  rateLimits: { windowSeconds: number; public: number; evaluate: number };
  /** maxCachedWorkflows: the worker's sticky cache, in workflows. */
  worker: { maxCachedWorkflows: number };
  /** dueSoonDays: the window of the custody ledger's "due back soon". */
  custody: { dueSoonDays: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
const urlHost = (url: string): string | null => {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
};

/**
 * The settings that only a real deployment has: a process that sees any of them is either in
 * production (NODE_ENV=production) or explicitly in dev mode (CLEARANCE_DEV_MODE=1), never in
 * dev mode by default. Loopback addresses are what a laptop uses and do not count.
 */
export function productionSettings(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (env[name] ?? '') !== '';
  const found = [
    'DATABASE_URL',
    'AUTH_ISSUER',
    'AUTH_AUDIENCE',
    'AUTH_JWKS_URL',
    'OIDC_ISSUER_URL',
    'OIDC_CLIENT_ID',
    'OIDC_CLIENT_SECRET',
    'LINK_TOKEN_SECRET',
    'ENCRYPTION_KEYS',
    'TEMPORAL_API_KEY',
    'TEMPORAL_TLS_CERT_PATH',
    'TEMPORAL_TLS_KEY_PATH',
    'TEMPORAL_TLS_CA_PATH',
  ].filter(set);
  const publicUrl = env.PUBLIC_URL ?? '';
  if (publicUrl.startsWith('https:')) found.push('PUBLIC_URL (https)');
  else if (publicUrl && !isLoopback(urlHost(publicUrl) ?? '')) found.push('PUBLIC_URL (not loopback)');
  const temporal = env.TEMPORAL_ADDRESS ?? '';
  if (temporal && !isLoopback(temporal.replace(/:\d+$/, ''))) found.push('TEMPORAL_ADDRESS (not loopback)');
  if (set('SMTP_URL') && !isLoopback(urlHost(env.SMTP_URL!) ?? '')) found.push('SMTP_URL (not loopback)');
  return found;
}

/**
 * What `npm start` runs with: dev mode unless the environment says production (NODE_ENV, or
 * production settings, which loadConfig then refuses without NODE_ENV=production) or decides itself.
 */
export function withDevModeByDefault(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_ENV === 'production' || (env.CLEARANCE_DEV_MODE ?? '') !== '') return env;
  return productionSettings(env).length === 0 ? { ...env, CLEARANCE_DEV_MODE: '1' } : env;
}

/**
 * Which mode the environment asks for. Dev mode only when asked: CLEARANCE_DEV_MODE=1, or
 * NODE_ENV=test (the test suites) with no production settings. Returns the refusal when the
 * environment is neither dev mode nor production.
 */
function decideMode(raw: Record<string, string>): { devMode: boolean; problem?: string } {
  const asked = isTrue({ value: raw.CLEARANCE_DEV_MODE });
  const production = raw.NODE_ENV === 'production';
  const seen = productionSettings(raw);
  if (production) {
    return asked
      ? { devMode: false, problem: 'CLEARANCE_DEV_MODE: dev mode cannot be on with NODE_ENV=production' }
      : { devMode: false };
  }
  if (asked) return { devMode: true };
  if (asked === undefined && raw.NODE_ENV === 'test' && seen.length === 0) return { devMode: true };
  return {
    devMode: false,
    problem:
      seen.length > 0
        ? `NODE_ENV: production settings without NODE_ENV=production: ${seen.join(', ')}. ` +
          'Set NODE_ENV=production, or CLEARANCE_DEV_MODE=1 to use them in dev mode (dev-login for anyone, no passwords)'
        : 'CLEARANCE_DEV_MODE: neither dev mode nor production. Set CLEARANCE_DEV_MODE=1 for dev mode ' +
          '(`npm start` and the tests do), or NODE_ENV=production',
  };
}

/** Seconds in a LINK_TOKEN_TTL such as `7d`, `48h`, `90 minutes` (the grammar DURATION accepts). */
function durationSeconds(value: string): number | null {
  const match = DURATION.exec(value.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2][0].toLowerCase()] : null;
}

/** What production (and, where it says so, every mode) refuses beyond the per-variable rules. */
function policyProblems(
  vars: EnvironmentVariables,
  devMode: boolean,
  encryption: EncryptionConfig | null,
  auditChain: EncryptionConfig | null,
): string[] {
  const problems: string[] = [];
  const ttl = durationSeconds(vars.LINK_TOKEN_TTL);
  if (ttl !== null && ttl > MAX_LINK_TOKEN_TTL_SECONDS)
    problems.push('LINK_TOKEN_TTL: approval links may live at most 14 days (14d)');
  const algorithms = splitList(vars.AUTH_JWT_ALGORITHMS);
  const unknown = algorithms.filter((a) => !JWT_ALGORITHMS.includes(a));
  if (algorithms.length === 0 || unknown.length > 0)
    problems.push(
      `AUTH_JWT_ALGORITHMS: ${unknown.join(', ') || 'empty'}: only asymmetric algorithms (${JWT_ALGORITHMS.join(', ')})`,
    );
  if (devMode) return problems;
  if (vars.LINK_TOKEN_SECRET === DEV_LINK_SECRET || vars.LINK_TOKEN_SECRET === DEV_AUTH_SECRET)
    problems.push('LINK_TOKEN_SECRET: this is the published dev secret; generate one (openssl rand -base64 48)');
  if (vars.UPDATE_PROOF_SECRET === DEV_UPDATE_PROOF_SECRET)
    problems.push('UPDATE_PROOF_SECRET: this is the published dev secret; generate one (openssl rand -base64 48)');
  for (const key of encryption?.keys ?? [])
    if (isDevEncryptionKey(key.key))
      problems.push(`ENCRYPTION_KEYS: key "${key.id}" is the public dev key; generate one (npm run keys -- generate)`);
  for (const key of auditChain?.keys ?? [])
    if (isDevAuditChainKey(key.key))
      problems.push(`AUDIT_CHAIN_KEYS: key "${key.id}" is the public dev key; generate one (npm run keys -- generate)`);
  if (!vars.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (the https base of links in emails)');
  else if (!vars.PUBLIC_URL.startsWith('https://') && !isLoopback(urlHost(vars.PUBLIC_URL) ?? ''))
    problems.push('PUBLIC_URL: must be https in production (approval links are credentials)');
  return problems;
}

const splitList = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
  const mode = decideMode(raw);
  if (mode.problem) throw new ConfigError([mode.problem]);
  const devMode = mode.devMode;
  const vars = plainToInstance(
    EnvironmentVariables,
    { ...raw, CLEARANCE_DEV_MODE: String(devMode) },
    { exposeDefaultValues: true },
  );
  const errors = validateSync(vars, { skipMissingProperties: false });
  const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  const encryption = parseEncryptionKeys(vars.ENCRYPTION_KEYS, vars.ENCRYPTION_ACTIVE_KEY_ID);
  const temporalUiOrigins = parseOrigins(vars.TEMPORAL_UI_ORIGIN);
  if (!errors.some((e) => e.property === 'ENCRYPTION_KEYS')) problems.push(...encryption.problems);
  const auditChain = parseAuditChainKeys(vars.AUDIT_CHAIN_KEYS);
  if (!errors.some((e) => e.property === 'AUDIT_CHAIN_KEYS')) problems.push(...auditChain.problems);
  problems.push(...temporalUiOrigins.problems);
  problems.push(
    ...policyProblems(
      vars,
      devMode,
      vars.ENCRYPTION_KEYS ? encryption.config : null,
      vars.AUDIT_CHAIN_KEYS ? auditChain.config : null,
    ),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const env_ = vars.NODE_ENV as AppConfig['env'];
  const tlsEntries = {
    certPath: vars.TEMPORAL_TLS_CERT_PATH,
    keyPath: vars.TEMPORAL_TLS_KEY_PATH,
    caPath: vars.TEMPORAL_TLS_CA_PATH,
    serverName: vars.TEMPORAL_TLS_SERVER_NAME,
  };
  const tls = Object.values(tlsEntries).some(Boolean) ? tlsEntries : undefined;
  return {
    env: env_,
    devMode,
    port: vars.PORT,
    http: { host: vars.HOST ?? (devMode ? '127.0.0.1' : undefined), trustProxy: parseTrustProxy(vars.TRUST_PROXY) },
    publicUrl: (vars.PUBLIC_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, ''),
    database: vars.DATABASE_URL
      ? { type: 'postgres', url: vars.DATABASE_URL }
      : { type: 'sqlite', path: path.resolve(PROJECT_ROOT, vars.SQLITE_PATH) },
    temporal: {
      address: vars.TEMPORAL_ADDRESS,
      namespace: vars.TEMPORAL_NAMESPACE,
      taskQueue: vars.TEMPORAL_TASK_QUEUE,
      tls,
      apiKey: vars.TEMPORAL_API_KEY,
    },
    mail: {
      smtpUrl: vars.SMTP_URL,
      from: vars.MAIL_FROM,
      capturePort: devMode && !vars.SMTP_CAPTURE_URL && vars.SMTP_CAPTURE_PORT > 0 ? vars.SMTP_CAPTURE_PORT : null,
      captureUrl: devMode ? (vars.SMTP_CAPTURE_URL?.replace(/\/+$/, '') ?? null) : null,
    },
    linkTokens: { secret: vars.LINK_TOKEN_SECRET ?? DEV_LINK_SECRET, ttl: vars.LINK_TOKEN_TTL },
    updateProofs: { secret: vars.UPDATE_PROOF_SECRET ?? DEV_UPDATE_PROOF_SECRET },
    auth: {
      devSecret: vars.AUTH_DEV_SECRET ?? DEV_AUTH_SECRET,
      issuer: vars.AUTH_ISSUER,
      audience: vars.AUTH_AUDIENCE,
      jwksUrl: vars.AUTH_JWKS_URL,
      emailClaim: vars.AUTH_EMAIL_CLAIM,
      requireEmailVerified: vars.AUTH_REQUIRE_EMAIL_VERIFIED,
      algorithms: splitList(vars.AUTH_JWT_ALGORITHMS),
    },
    oidc: {
      issuerUrl: vars.OIDC_ISSUER_URL,
      clientId: vars.OIDC_CLIENT_ID,
      clientSecret: vars.OIDC_CLIENT_SECRET,
      scopes: vars.OIDC_SCOPES,
      providerName: vars.OIDC_PROVIDER_NAME,
      sessionToken: vars.OIDC_SESSION_TOKEN,
    },
    directorySeedFile:
      vars.DIRECTORY_SEED_FILE ?? (devMode ? path.join(PROJECT_ROOT, 'seeds/directory.dev.json') : undefined),
    bodyLimit: vars.BODY_LIMIT,
    logLevel: vars.LOG_LEVEL,
    encryption: encryption.config!,
    auditChain: auditChain.config!,
    temporalUiOrigins: temporalUiOrigins.origins,
    metrics: {
      token: vars.METRICS_TOKEN,
      workerAddress: vars.WORKER_METRICS_ADDRESS,
      workerUrl: vars.WORKER_METRICS_URL,
    },
    tracing: {
      enabled:
        vars.OTEL_SDK_DISABLED !== 'true' &&
        vars.OTEL_TRACES_EXPORTER !== 'none' &&
        (vars.OTEL_TRACES_EXPORTER === 'otlp' ||
          !!vars.OTEL_EXPORTER_OTLP_ENDPOINT ||
          !!vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    },
    rateLimits: {
      windowSeconds: vars.RATE_LIMIT_WINDOW,
      public: vars.RATE_LIMIT_PUBLIC,
      evaluate: vars.RATE_LIMIT_EVALUATE,
    },
    custody: { dueSoonDays: vars.CUSTODY_DUE_SOON_DAYS },
    worker: { maxCachedWorkflows: vars.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS },
  };
}

/** Express's `trust proxy`: `true`, a hop count, or a list of addresses and subnets. */
function parseTrustProxy(raw: string | undefined): boolean | number | string | undefined {
  if (raw === undefined || raw === 'false') return undefined;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** `http://host[:port]` origins, comma-separated; a path, query or trailing slash is refused. */
function parseOrigins(raw: string): { origins: string[]; problems: string[] } {
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const bad = origins.filter((o) => {
    try {
      return new URL(o).origin !== o;
    } catch {
      return true;
    }
  });
  return {
    origins,
    problems: bad.length
      ? [`TEMPORAL_UI_ORIGIN: not an origin (scheme://host[:port], no path): ${bad.join(', ')}`]
      : [],
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** LOG_LEVEL names the most verbose level shown; this lists it and every level above it. */
export function logLevels(level: string): Array<(typeof LOG_LEVELS)[number]> {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]) + 1);
}
