import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Finds the Temporal CLI (which embeds the dev server) or builds it from the Go module proxy into
 * a cache outside the checkout. Versions after 1.5.1 carry a `replace` directive that
 * `go install` refuses, so we pin 1.5.1 and fall back to older ones without it.
 */
export const CLI_VERSIONS = ['v1.5.1', 'v1.4.1', 'v1.3.0'];

export function cacheDir(): string {
  return (
    process.env.CLEARANCE_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'clearance')
  );
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH (or in `extra` directories). */
export function onPath(name: string, extra: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extra].filter(Boolean);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return null;
}

/** Returns the path of a `temporal` binary, or null when none is found and none can be built. */
export function findOrBuildTemporalCli(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string | null {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const binDir = path.join(cacheDir(), 'bin');
  const cached = path.join(binDir, 'temporal');
  const found = onPath('temporal') ?? (isExecutable(cached) ? cached : null);
  if (found) return found;

  const go = onPath('go', ['/usr/local/go/bin']);
  if (!go) return null;
  fs.mkdirSync(binDir, { recursive: true });
  for (const version of CLI_VERSIONS) {
    const started = Date.now();
    log(`Building the Temporal CLI ${version} with ${go} into ${binDir} (first time only, several minutes)…`);
    try {
      execFileSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
        env: { ...process.env, GOBIN: binDir, PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      log(`Built the Temporal CLI ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
      return cached;
    } catch {
      log(`go install of the Temporal CLI ${version} failed; trying the next version`);
    }
  }
  throw new Error('could not build the Temporal CLI with Go; install it and put `temporal` on PATH');
}

if (require.main === module) {
  const cli = findOrBuildTemporalCli();
  if (!cli) {
    process.stderr.write('No Temporal CLI and no Go toolchain: `npm start` will use the SDK download instead.\n');
    process.exit(1);
  }
  process.stdout.write(`${cli}\n`);
}
