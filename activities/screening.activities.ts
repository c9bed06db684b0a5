import { log } from '@temporalio/activity';
import type { ScreenInput } from '@libs/contracts';
import type { ScreeningHit } from '@libs/domain/screening';
import type { ScreeningService } from '@libs/screening/screening.service';

/** Screens a request's counterparties against the restricted-party list, at submission. */
export class ScreeningActivities {
  constructor(private readonly screening: ScreeningService) {}

  async screenCounterparties(input: ScreenInput): Promise<ScreeningHit[]> {
    const hits = await this.screening.screen(input.counterparties);
    if (hits.length > 0) log.info('restricted-party hits', { requestId: input.requestId, hits: hits.length });
    return hits;
  }
}
