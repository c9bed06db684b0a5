/**
 * However short the interval, at most this many reminders. The two caps differ for history's sake:
 * they decide which timers and emails a running workflow schedules, so making them one value would
 * change what in-flight requests past the lower cap do on replay (no golden history reaches either
 * cap). Unify them only behind a `patched()` marker.
 */
export const MAX_REMINDERS = {
  /** Per party and round, while a stage awaits its decision (workflows/request/watch-deadlines.ts). */
  perPartyRound: 50,
  /** Per overdue item: an obligation or a passport not back (workflows/chase.ts). */
  perOverdueItem: 200,
} as const;
