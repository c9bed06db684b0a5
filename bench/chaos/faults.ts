import type { LoadStats } from './load';
import type { Fault } from './report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The drill's faults on the load's clock: `fault(atS, name, act)` waits until `atS` seconds after
 * the load began, runs the fault, and keeps when it began and when the system was back.
 */
export function faultClock(loadStart: number, log: (line: string) => void) {
  const faults: Fault[] = [];
  const since = () => (Date.now() - loadStart) / 1000;
  const fault = async (atS: number, name: string, act: () => Promise<void>) => {
    await sleep(Math.max(0, loadStart + atS * 1000 - Date.now()));
    const f: Fault = { name, at: since() };
    faults.push(f);
    log(`fault: ${name}`);
    await act();
    f.backAt = since();
    log(`fault over: ${name} (back after ${(f.backAt - f.at).toFixed(1)} s)`);
  };
  return { faults, since, fault };
}

/** Aims a fault at a call in flight (waits up to 8 s for one), so its answer is lost. */
export async function whileInFlight(stats: LoadStats, kind: 'submit' | 'decide'): Promise<number> {
  const until = Date.now() + 8000;
  while (stats.inFlight[kind] === 0 && Date.now() < until) await sleep(20);
  return stats.inFlight[kind];
}
