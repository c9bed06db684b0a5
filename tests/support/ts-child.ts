import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Lets a plain `node` child require the project's TypeScript (transpile only, like ts-jest's isolatedModules)
 * and resolve the `@libs/*` path alias as jest does.
 */
const REGISTER_TS = `
const ts = require('typescript');
const fs = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
  module._compile(outputText, filename);
};
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const aliased = request.startsWith('@libs/') ? require('node:path').join(${JSON.stringify(ROOT)}, 'libs', request.slice(6)) : request;
  return resolveFilename.call(this, aliased, ...rest);
};
require('reflect-metadata');
`;

/**
 * Runs `script` (CommonJS, may `require` project .ts files relative to the repository root via
 * `ROOT`) in another Node process: a second process is what the API and the worker really are,
 * and better-sqlite3 waits for a lock synchronously, so two writers must not share one thread.
 */
export function spawnTsChild(script: string, env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-e', `${REGISTER_TS}\nconst ROOT = ${JSON.stringify(ROOT)};\n${script}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

/** Resolves with the child's stdout when it exits 0; rejects with its stderr otherwise. */
export function childResult(child: ChildProcessWithoutNullStreams): Promise<string> {
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

/** Resolves when the child writes `line` on stdout. */
export function childSays(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`child exited ${code} before saying ${line}`)));
  });
}
