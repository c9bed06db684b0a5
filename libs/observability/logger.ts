import pino, { type DestinationStream, type Logger } from 'pino';

/** Nest's LOG_LEVEL names mapped to pino's. */
const PINO_LEVELS: Record<string, pino.LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Anything that could carry a secret or a person is cut out, wherever a log call puts it. Request
 * bodies and query strings are never logged at all (see the serializers of apps/api/logging).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.email',
  '*.recipient',
  '*.passportNumber',
  '*.token',
  '*.password',
];

export function pinoLevel(logLevel: string): pino.LevelWithSilent {
  return PINO_LEVELS[logLevel] ?? 'info';
}

/** The process's JSON-lines logger (stdout). `service` tells the API's lines from the worker's. */
export function createRootLogger(service: string, logLevel: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level: pinoLevel(logLevel),
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
