/*
 * The processes of a running Clearance system (`npm start`, `npm run start:cluster`), found from
 * /proc (Linux), and their RSS and CPU. How they are found, so that another engineer's system on the
 * same machine is never counted:
 *
 * 1. the API processes are the ones listening on the ports of `--base` (from /proc/net/tcp{,6}, the
 *    socket's inode, then the process holding that inode among its file descriptors);
 * 2. the launcher is the API's parent (`dist/scripts/start.js` or `dist/scripts/start-cluster.js`);
 *    every descendant of it is part of the system and is given its role from its command line:
 *    `dist/apps/api/main.js` api, `dist/apps/worker/main.js` worker, the Temporal CLI
 *    (`temporal server start-dev`) or the Temporal server binary (`server … start --service S`)
 *    temporal, anything else other (the cluster's SMTP capture);
 * 3. the process listening on the port of `--temporal` is added as temporal when it is not already
 *    there (a dev server or cluster started on its own).
 */
import * as fs from 'node:fs';

export type ProcessRole = 'api' | 'worker' | 'temporal' | 'other';

export interface SystemProcess {
  pid: number;
  role: ProcessRole;
  /** What the process is, for the report: "api", "worker", "temporal dev server", "temporal history", … */
  label: string;
  command: string;
}

const read = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

const statFields = (pid: number): string[] | null => {
  const stat = read(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

const commandLine = (pid: number): string => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();

/** The pid that listens on TCP `port` (any address), or null. */
export function listeningPid(port: number): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(file) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      if (parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) return pid;
    }
  }
  return null;
}

function classify(command: string): { role: ProcessRole; label: string } {
  if (/dist\/apps\/api\/main\.js/.test(command)) return { role: 'api', label: 'api' };
  if (/dist\/apps\/worker\/main\.js/.test(command)) return { role: 'worker', label: 'worker' };
  if (/\btemporal server start-dev\b/.test(command)) return { role: 'temporal', label: 'temporal dev server' };
  const service = /\bstart --service (\w+)/.exec(command);
  if (service) return { role: 'temporal', label: `temporal ${service[1]}` };
  if (/smtp-capture/.test(command)) return { role: 'other', label: 'smtp capture' };
  return { role: 'other', label: command.split(' ')[0].split('/').pop() ?? command };
}

/** The system's processes: the launcher's descendants (see the top of this file) and Temporal's listener. */
export function findSystemProcesses(apiPorts: number[], temporalPort: number): SystemProcess[] {
  const apiPids = apiPorts.map(listeningPid).filter((p): p is number => p !== null);
  if (apiPids.length === 0) return [];
  const parent = new Map<number, number>();
  for (const pid of allPids()) {
    const f = statFields(pid);
    if (f) parent.set(pid, Number(f[1]));
  }
  const roots = new Set(apiPids.map((p) => parent.get(p) ?? p).filter((p) => p > 1));
  const members = new Set<number>(apiPids);
  // descendants of each launcher
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if ((roots.has(ppid) || members.has(ppid)) && !members.has(pid)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  const temporal = listeningPid(temporalPort);
  if (temporal !== null) members.add(temporal);
  const out: SystemProcess[] = [];
  for (const pid of members) {
    const command = commandLine(pid);
    if (!command) continue;
    const { role, label } = classify(command);
    // a shell or npm between the launcher and its children is not part of what is measured
    if (role === 'other' && !/smtp-capture/.test(command)) continue;
    out.push({ pid, role, label, command });
  }
  return out.sort((a, b) => a.role.localeCompare(b.role) || a.label.localeCompare(b.label) || a.pid - b.pid);
}

/** Resident set size in bytes (VmRSS), or null when the process is gone. */
export function rssBytes(pid: number): number | null {
  const m = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : null;
}

/** CPU time (user + system) in ms, or null when the process is gone. */
export function cpuMs(pid: number): number | null {
  const f = statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / 100 : null; // USER_HZ is 100 on Linux
}

export interface ProcessFigures {
  pid: number;
  role: ProcessRole;
  label: string;
  /** RSS now, MiB. */
  rssMiB: number | null;
  /** Highest RSS seen by the sampler since `watch` started, MiB. */
  peakRssMiB: number | null;
}

/** Samples the RSS of `procs` every `everyMs`, keeping each one's peak; CPU is read on demand. */
export class ProcessWatch {
  private readonly peak = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly procs: SystemProcess[],
    everyMs = 1000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const p of this.procs) {
      const rss = rssBytes(p.pid);
      if (rss !== null && rss > (this.peak.get(p.pid) ?? 0)) this.peak.set(p.pid, rss);
    }
  }

  /** CPU ms of every process now, by pid. */
  cpu(): Map<number, number | null> {
    return new Map(this.procs.map((p) => [p.pid, cpuMs(p.pid)]));
  }

  /** CPU ms used by each role between two `cpu()` readings (null when a process of that role went away). */
  cpuByRole(before: Map<number, number | null>, after: Map<number, number | null>): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const p of this.procs) {
      const a = before.get(p.pid);
      const b = after.get(p.pid);
      const prev = out[p.role];
      out[p.role] =
        a === null || a === undefined || b === null || b === undefined || prev === null ? null : (prev ?? 0) + (b - a);
    }
    return out;
  }

  figures(): ProcessFigures[] {
    this.sample();
    const mib = (b: number | null | undefined) =>
      b === null || b === undefined ? null : Math.round((b / 1024 / 1024) * 10) / 10;
    return this.procs.map((p) => ({
      pid: p.pid,
      role: p.role,
      label: p.label,
      rssMiB: mib(rssBytes(p.pid)),
      peakRssMiB: mib(this.peak.get(p.pid)),
    }));
  }

  /** RSS now summed per role, MiB (null for a role with no live process). */
  rssByRole(): Record<ProcessRole, number | null> {
    const out: Record<ProcessRole, number | null> = { api: null, worker: null, temporal: null, other: null };
    for (const f of this.figures())
      if (f.rssMiB !== null) out[f.role] = Math.round(((out[f.role] ?? 0) + f.rssMiB) * 10) / 10;
    return out;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
