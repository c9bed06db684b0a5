import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The bare Temporal baseline: one Update per party, no activities, no database, no email. */
export const decideBaseline = defineUpdate<number, [string]>('decide');

export async function baselineApproval(parties: number): Promise<string[]> {
  const decided: string[] = [];
  setHandler(decideBaseline, (party: string) => {
    decided.push(party);
    return decided.length;
  });
  await condition(() => decided.length >= parties);
  return decided;
}
