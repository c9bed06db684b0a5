import type { RequestInput } from '@libs/domain/request';
import type { RequestType } from '@libs/domain/vocabulary';

/** Each request type's details, as little as the type asks for. */
export const MINIMAL_DETAILS = {
  conference: { eventName: 'E', presenting: false },
  overseas_assignment: { hostEntity: 'Host', role: 'Lead', months: 6 },
  ma_participation: { dealName: 'Falcon', counterpartyRole: 'target', involvement: 'negotiation' },
  passport_release: { reason: 'trip' },
  departure_abroad: { newEmployer: 'Lab', lastWorkingDay: '2027-06-30' },
} as const;

/**
 * For the domain's unit specs: a request on fixed dates (departs 1 March 2027, returns 7 March
 * 2027) that asks only what its type always asks (no counterparties, no controlled technology,
 * no data leaving). Override any field.
 */
export function minimalRequest(type: RequestType = 'conference', overrides: Partial<RequestInput> = {}): RequestInput {
  return {
    type,
    destinationCountry: 'US',
    departureDate: '2027-03-01',
    returnDate: '2027-03-07',
    purpose: 'p',
    counterparties: [],
    technologyAreas: ['none'],
    dataCategories: ['none'],
    details: MINIMAL_DETAILS[type],
    ...overrides,
  };
}
