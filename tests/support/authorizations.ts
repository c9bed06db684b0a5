/**
 * The default policy requires an official exit approval of `core` and `strategic` staff (alice,
 * dave) and a confidentiality-unit approval of people with classified access (dave) before a request
 * is approved or a passport released (CONTRACT.md, "External authorizations and determinations").
 * Specs about something else record those authorities' grants up front, explicitly, with this, so
 * that the parties' approval approves the request as before; tests/e2e/authorizations.int-spec.ts
 * covers the waiting itself.
 */
export async function grantAuthorizations(
  http: { as(email: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> },
  view: { id: string; returnDate: string; requester: { email: string }; authorizations?: Array<{ kind: string }> },
): Promise<void> {
  for (const { kind } of view.authorizations ?? []) {
    const res = await http.as(view.requester.email, 'POST', `/api/requests/${view.id}/authorizations/${kind}`, {
      status: 'granted',
      authority: 'test authority',
      reference: `TEST-${kind}`,
      validUntil: view.returnDate,
    });
    if (res.status !== 200) throw new Error(`granting ${kind} on ${view.id} answered ${res.status}`);
  }
}
