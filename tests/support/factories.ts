import type { RequestType } from '@libs/domain/vocabulary';

/** Dates relative to today, so fixtures never fall into the past. */
export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const DETAILS: Record<RequestType, Record<string, unknown>> = {
  conference: { eventName: 'NeurIPS', presenting: true },
  overseas_assignment: { hostEntity: 'Example GmbH', role: 'Research lead', months: 12 },
  ma_participation: { dealName: 'Project Falcon', counterpartyRole: 'target', involvement: 'due_diligence' },
  passport_release: { reason: 'Conference travel' },
  departure_abroad: { newEmployer: 'Example Labs Ltd', lastWorkingDay: daysFromNow(29) },
};

/** A valid request body of the given type; override any field. */
export function requestBody(
  type: RequestType = 'conference',
  overrides: Record<string, unknown> = {},
): Record<string, any> {
  return {
    type,
    destinationCountry: 'US',
    departureDate: daysFromNow(30),
    returnDate: daysFromNow(37),
    purpose: 'Present a paper',
    counterparties: [{ name: 'Example Org', country: 'US' }],
    technologyAreas: ['large_models'],
    dataCategories: ['presentation_materials'],
    details: DETAILS[type],
    ...overrides,
  };
}

/** A member of `party` asks for changes with `comment`: the request is then `changes_requested`. */
export async function sendBack(
  http: { as(email: string, method: string, path: string, body?: unknown): Promise<{ body: { status?: unknown } }> },
  requestId: string,
  party: string,
  member: string,
  comment: string,
): Promise<void> {
  const res = await http.as(member, 'POST', `/api/requests/${requestId}/decisions`, {
    party,
    decision: 'request_changes',
    comment,
  });
  if (res.body.status !== 'changes_requested') throw new Error(`${party} could not send ${requestId} back for changes`);
}

/** Has the custodian record a passport for this person, so a passport_release can be submitted. */
export async function depositPassport(
  http: { as(email: string, method: string, path: string, body?: unknown): Promise<{ status: number }> },
  employeeEmail: string,
): Promise<void> {
  const res = await http.as('custodian@example.com', 'POST', '/api/passports', {
    employeeEmail,
    passportNumber: `P${Math.floor(Math.random() * 1e8)}`,
    issuingCountry: 'KR',
    expiryDate: daysFromNow(1000),
  });
  if (res.status !== 201) throw new Error(`deposit for ${employeeEmail} answered ${res.status}`);
}

/**
 * A complete, valid production environment: no dev mode, none of the published dev secrets or
 * keys, tokens from an identity provider at https://idp.example.com/. Override any variable.
 */
export function productionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://clearance.example.com',
    LINK_TOKEN_SECRET: 'a-production-link-secret-of-enough-length',
    UPDATE_PROOF_SECRET: 'a-production-update-proof-secret-of-enough-length',
    AUTH_ISSUER: 'https://idp.example.com/',
    AUTH_AUDIENCE: 'clearance',
    AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
    ENCRYPTION_KEYS: `prod-1:${Buffer.alloc(32, 7).toString('base64')}`,
    AUDIT_CHAIN_KEYS: `audit-1:${Buffer.alloc(32, 9).toString('base64')}`,
    ...overrides,
  };
}
