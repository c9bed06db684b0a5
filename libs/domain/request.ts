import type { TripManifest } from './manifest';
import type { DataCategory, RequestType, TechnologyArea } from './vocabulary';

export interface Counterparty {
  name: string;
  country: string;
  /** The counterparty's own contact person, outside the company (a person in our directory is refused). */
  contactEmail?: string;
}

export interface ConferenceDetails {
  eventName: string;
  presenting: boolean;
}
export interface OverseasAssignmentDetails {
  hostEntity: string;
  role: string;
  months: number;
}
export interface MaParticipationDetails {
  dealName: string;
  counterpartyRole: 'acquirer' | 'target' | 'partner';
  involvement: 'due_diligence' | 'negotiation' | 'integration' | 'key_person';
}
export interface PassportReleaseDetails {
  travelRequestId?: string;
  reason: string;
}
export interface DepartureAbroadDetails {
  newEmployer: string;
  lastWorkingDay: string;
}

export interface RequestDetailsByType {
  conference: ConferenceDetails;
  overseas_assignment: OverseasAssignmentDetails;
  ma_participation: MaParticipationDetails;
  passport_release: PassportReleaseDetails;
  departure_abroad: DepartureAbroadDetails;
}

/** What an employee asks for: the validated body of POST /api/requests, independent of storage. */
export interface RequestInput<T extends RequestType = RequestType> {
  type: T;
  destinationCountry: string;
  departureDate: string;
  /**
   * The day the person is back. Every type gives one except a `departure_abroad`, where it is optional:
   * absent, the departure is a permanent move (see tripEnd).
   */
  returnDate?: string;
  purpose: string;
  counterparties: Counterparty[];
  technologyAreas: TechnologyArea[];
  dataCategories: DataCategory[];
  details: RequestDetailsByType[T];
  /** What travels (devices, materials); absent when none was declared. */
  manifest?: TripManifest;
}

/** The dates tripEnd reads: a request input, a request view, or a stored request (null: no return). */
export interface TripDates {
  type: RequestType;
  departureDate: string;
  returnDate?: string | null;
}

/** Whether a request of this type must give a return date: every type but a departure abroad. */
export function returnDateRequired(type: RequestType): boolean {
  return type !== 'departure_abroad';
}

/** A departure abroad that names no return date: the person leaves for an employer abroad for good. */
export function isPermanentMove(request: TripDates): boolean {
  return request.type === 'departure_abroad' && !request.returnDate;
}

/**
 * The last day of the trip (YYYY-MM-DD): the one date every rule "after the trip" or "through the
 * trip" counts from, read nowhere else from the return date.
 *
 * - A request that gives a return date (every type must, but a departure abroad): that date.
 * - A permanent move (a departure abroad without one): the departure date. The person crosses the
 *   border for good that day and nothing after it is a trip the company follows; the last working day
 *   is on or before it (so it can never be later), and an authority's approval must still hold on the
 *   day they leave, which the last working day would not ensure.
 *
 * It is where an authorization must be valid through (`neededThrough`), what a debrief is due after
 * and may be recorded from, and what a released passport is collected by and due back after.
 */
export function tripEnd(request: TripDates): string {
  return request.returnDate || request.departureDate;
}

export function isConference(input: RequestInput): input is RequestInput<'conference'> {
  return input.type === 'conference';
}

/** The deal of an ma_participation request, from its stored details ('' for any other type). */
export function dealNameOf(details: Record<string, unknown>): string {
  return typeof details.dealName === 'string' ? details.dealName : '';
}

/** The deal name as the projection indexes it (trimmed, lower case), or null when the details name none. */
export function normalizedDealName(details: Record<string, unknown>): string | null {
  const name = dealNameOf(details).trim().toLowerCase();
  return name === '' ? null : name.slice(0, 200);
}
