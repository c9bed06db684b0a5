/*
 * The bench's view of a running system's processes (bench/processes.ts) and start:cluster's process
 * counts: real processes, found from /proc by the port the "API" listens on and their launcher.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { cpuMs, findSystemProcesses, listeningPid, rssBytes } from '../../bench/processes';
import { clusterOptionsFromEnv, withProcessCounts } from '../../scripts/start-cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('the processes of a running system, from /proc', () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const c of started) c.kill('SIGKILL');
  });

  it('finds the API by its port, the worker under the same launcher, and not a look-alike elsewhere', async () => {
    const port = await freePort();
    // A launcher (like dist/scripts/start.js) with an "API" listening on `port` and a "worker"; the
    // marker arguments give them the command lines the bench classifies by.
    const launcher = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         spawn(process.execPath, ['-e', "require('node:net').createServer().listen(${port}, '127.0.0.1')", 'dist/apps/api/main.js'], { stdio: 'ignore' });
         spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'dist/apps/worker/main.js'], { stdio: 'ignore' });
         setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore', detached: true },
    );
    started.push(launcher);
    // another engineer's worker: same command line, other launcher
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'dist/apps/worker/main.js'], {
      stdio: 'ignore',
    });
    started.push(stranger);
    try {
      let api: number | null = null;
      for (let i = 0; i < 100 && api === null; i++) {
        await sleep(100);
        api = listeningPid(port);
      }
      expect(api).not.toBeNull();
      const procs = findSystemProcesses([port], await freePort());
      expect(procs.map((p) => p.role).sort()).toEqual(['api', 'worker']);
      expect(procs.find((p) => p.role === 'api')!.pid).toBe(api);
      expect(procs.map((p) => p.pid)).not.toContain(stranger.pid);
      for (const p of procs) {
        expect(rssBytes(p.pid)).toBeGreaterThan(1024 * 1024);
        expect(cpuMs(p.pid)).not.toBeNull();
      }
    } finally {
      process.kill(-launcher.pid!, 'SIGKILL');
    }
  });

  it('finds nothing when nothing listens on the API port', async () => {
    expect(findSystemProcesses([await freePort()], await freePort())).toEqual([]);
  });
});

describe('npm run start:cluster -- --workers N --apis N', () => {
  const defaults = clusterOptionsFromEnv({});

  it('runs two of each by default and the numbers asked for', () => {
    expect([defaults.workers, defaults.apis]).toEqual([2, 2]);
    expect(withProcessCounts(defaults, ['--workers', '1', '--apis', '1'])).toMatchObject({ workers: 1, apis: 1 });
    expect(withProcessCounts(defaults, ['--apis', '3'])).toMatchObject({ workers: 2, apis: 3 });
  });

  it('refuses what it does not know', () => {
    expect(() => withProcessCounts(defaults, ['--workers', '0'])).toThrow('--workers wants a whole number from 1 to 8');
    expect(() => withProcessCounts(defaults, ['--worker', '1'])).toThrow('unknown option --worker');
  });
});
