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
  returnDate: string;
  purpose: string;
  counterparties: Counterparty[];
  technologyAreas: TechnologyArea[];
  dataCategories: DataCategory[];
  details: RequestDetailsByType[T];
  /** What travels (devices, materials); absent when none was declared. */
  manifest?: TripManifest;
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
