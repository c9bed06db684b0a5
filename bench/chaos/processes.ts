import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProcessSpec {
  name: string;
  /** The executable; `node` (this one) when absent. */
  command?: string;
  /** Arguments to the command. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr of every incarnation are appended here. */
  logFile: string;
  /** Resolves once this incarnation is ready (its output so far is passed in as it grows). */
  ready: (proc: ManagedProcess) => Promise<void>;
}

/**
 * One part of the system as its own Node process, which the drill kills and starts again. An exit
 * the drill did not cause is counted and answered with a restart, as a supervisor would.
 */
export class ManagedProcess {
  private child?: ChildProcess;
  private output = '';
  private planned = false;
  private closed = false;
  private ready = false;
  starts = 0;
  unplannedExits = 0;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly log: Log,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The current incarnation's process id, while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts an incarnation and waits until it is ready. One that exits during start-up counts as
   * an unplanned exit and is started again (at most 5 times), as a supervisor would.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (error) {
        if (this.running || attempt >= 5 || this.closed) throw error;
        this.unplannedExits += 1;
        const last = this.output.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
        this.log(`${this.spec.name} exited during start-up (${(error as Error).message}): ${last}; starting it again`);
        await sleep(1000);
      }
    }
  }

  private async startOnce(): Promise<void> {
    this.output = '';
    this.planned = false;
    this.ready = false;
    const out = fs.openSync(this.spec.logFile, 'a');
    fs.writeSync(out, `\n----- ${this.spec.name} start ${new Date().toISOString()}\n`);
    const child = spawn(this.spec.command ?? process.execPath, this.spec.args, {
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    const collect = (chunk: Buffer) => {
      fs.writeSync(out, chunk);
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code, signal) => {
      fs.closeSync(out);
      // Exits during start-up are handled by start(); later ones by a restart here.
      if (this.planned || this.closed || this.child !== child || !this.ready) return;
      this.unplannedExits += 1;
      this.log(`${this.spec.name} exited on its own (${signal ?? code}); restarting it in 1 s`);
      setTimeout(() => {
        if (!this.closed && this.child === child) this.start().catch((e: unknown) => this.log(String(e)));
      }, 1000);
    });
    await this.spec.ready(this);
    this.ready = true;
  }

  /** Waits until this incarnation printed something matching `pattern`. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const child = this.child;
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (child !== this.child || !this.running) throw new Error(`${this.spec.name} exited during start-up`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not print ${pattern} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`); says how it ended and how long it took. */
  async stop(signal: NodeJS.Signals, graceMs = 15_000): Promise<string> {
    const child = this.child;
    if (!child || !this.running) return 'not running';
    this.planned = true;
    const started = Date.now();
    let forced = false;
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, sig) => resolve(sig ? `signal ${sig}` : `exit code ${code}`)),
    );
    child.kill(signal);
    const timer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, graceMs);
    const how = await exited;
    clearTimeout(timer);
    return `${forced ? `still running ${graceMs / 1000} s after ${signal}, killed: ` : ''}${how} after ${Date.now() - started} ms`;
  }

  /** Kills at once, synchronously (the run is being cut short). */
  killNow(): void {
    this.closed = true;
    if (this.running) this.child?.kill('SIGKILL');
  }

  /** Stops for good (teardown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop('SIGTERM', 5000);
  }
}

/** Waits until `url` answers 2xx, failing early when the process it belongs to exits during start-up. */
export async function waitHttpOk(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited during start-up`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(3000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}
