import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
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
import { parseEncryptionKeys, type EncryptionConfig } from './encryption-keys';
import { PROJECT_ROOT } from './project-root';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const DEV_LINK_SECRET = 'dev-only-link-secret-change-me-in-production!';
const DEV_AUTH_SECRET = 'dev-only-auth-secret-change-me-in-production!';
const DEV_UPDATE_PROOF_SECRET = 'dev-only-update-proof-secret-change-me-in-production!';

/** Every environment variable Clearance reads, validated once at boot. `.env.example` documents them. */
class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

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

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.LINK_TOKEN_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'LINK_TOKEN_SECRET must be at least 32 characters' })
  LINK_TOKEN_SECRET?: string;

  @IsString()
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

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @IsString({ message: 'AUTH_ISSUER is required in production' })
  AUTH_ISSUER?: string;

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @IsString({ message: 'AUTH_AUDIENCE is required in production' })
  AUTH_AUDIENCE?: string;

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @IsUrl({ require_tld: false }, { message: 'AUTH_JWKS_URL must be the URL of the identity provider JWKS' })
  AUTH_JWKS_URL?: string;

  @IsString()
  AUTH_EMAIL_CLAIM: string = 'email';

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
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.ENCRYPTION_KEYS !== undefined)
  @IsString({ message: 'ENCRYPTION_KEYS is required in production (comma-separated keyId:base64key pairs)' })
  ENCRYPTION_KEYS?: string;

  @IsOptional()
  @IsString()
  ENCRYPTION_ACTIVE_KEY_ID?: string;

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
  /** Dev conveniences (dev-login, seeded directory, dev mailbox) exist only when this is true. */
  devMode: boolean;
  port: number;
  publicUrl: string;
  database: { type: 'postgres'; url: string } | { type: 'sqlite'; path: string };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    apiKey?: string;
  };
  mail: { smtpUrl: string; from: string; capturePort: number | null };
  linkTokens: { secret: string; ttl: string };
  /** Secret from which the API derives each request's update-proof key; only the API needs it. */
  updateProofs: { secret: string };
  auth: { devSecret: string; issuer?: string; audience?: string; jwksUrl?: string; emailClaim: string };
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
  /** Browser origins of the Temporal Web UI, the only ones CORS lets call the codec server. */
  temporalUiOrigins: string[];
  /** GET /metrics (libs/observability, apps/api/metrics) and the worker's SDK metrics endpoint. */
  metrics: { token?: string; workerAddress?: string; workerUrl?: string };
  /** OpenTelemetry tracing, on only when the standard OTEL_* variables ask for it. */
  tracing: { enabled: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const vars = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(vars, { skipMissingProperties: false });
  const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  const encryption = parseEncryptionKeys(vars.ENCRYPTION_KEYS, vars.ENCRYPTION_ACTIVE_KEY_ID);
  const temporalUiOrigins = parseOrigins(vars.TEMPORAL_UI_ORIGIN);
  if (!errors.some((e) => e.property === 'ENCRYPTION_KEYS')) problems.push(...encryption.problems);
  problems.push(...temporalUiOrigins.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const env_ = vars.NODE_ENV as AppConfig['env'];
  const devMode = env_ !== 'production';
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
      capturePort: devMode && vars.SMTP_CAPTURE_PORT > 0 ? vars.SMTP_CAPTURE_PORT : null,
    },
    linkTokens: { secret: vars.LINK_TOKEN_SECRET ?? DEV_LINK_SECRET, ttl: vars.LINK_TOKEN_TTL },
    updateProofs: { secret: vars.UPDATE_PROOF_SECRET ?? DEV_UPDATE_PROOF_SECRET },
    auth: {
      devSecret: vars.AUTH_DEV_SECRET ?? DEV_AUTH_SECRET,
      issuer: vars.AUTH_ISSUER,
      audience: vars.AUTH_AUDIENCE,
      jwksUrl: vars.AUTH_JWKS_URL,
      emailClaim: vars.AUTH_EMAIL_CLAIM,
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
  };
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
