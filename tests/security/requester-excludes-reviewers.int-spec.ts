import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 2: a requester names `hr@` and `hr-lead@` as the contacts of two counterparties.
 * Both become conflicted, neither is asked, nobody of hr may decide, and the request expires
 * silently. A requester's words must never remove a reviewer: internal contacts are refused, and
 * when conflicts the requester does not control leave a party with nobody, the compliance admins
 * are told and assign a reviewer.
 */
describe.each(testDatabases())('a requester never removes a reviewer on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  const mailbox = async (to: string) =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  /** A request with hr as its only party (carol is standard tier; nothing controlled, nothing leaves). */
  const hrOnly = (overrides: Record<string, unknown> = {}) =>
    requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'PyCon', presenting: false },
      ...overrides,
    });
  const insiders = [
    { name: 'Alpha Partners', country: 'US', contactEmail: 'hr@example.com' },
    { name: 'Beta Labs', country: 'US', contactEmail: 'HR-Lead@Example.com' },
  ];

  it('should refuse a counterparty contact who is a person in our directory, naming the field', async () => {
    const res = await http.as('carol@example.com', 'POST', '/api/requests', hrOnly({ counterparties: insiders }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      {
        field: 'counterparties.0.contactEmail',
        messages: ['hr@example.com is a person in our directory; counterparty contacts are outside the company'],
      },
      {
        field: 'counterparties.1.contactEmail',
        messages: ['hr-lead@example.com is a person in our directory; counterparty contacts are outside the company'],
      },
    ]);
    const mine = await http.as('carol@example.com', 'GET', '/api/requests?mine=true');
    expect(mine.body.items).toEqual([]);
  });

  it('should refuse the same contacts in an amendment and leave the request as it was', async () => {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', hrOnly());
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    const sentBack = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'request_changes',
      comment: 'Name the partner',
    });
    expect(sentBack.status).toBe(200);
    const amend = await http.as('carol@example.com', 'POST', `/api/requests/${id}/amend`, {
      ...hrOnly(),
      counterparties: [{ name: 'Example Org', country: 'US' }, insiders[1]],
    });
    expect(amend.status).toBe(400);
    expect(amend.body.errors).toEqual([
      {
        field: 'counterparties.1.contactEmail',
        messages: ['hr-lead@example.com is a person in our directory; counterparty contacts are outside the company'],
      },
    ]);
    const view = await http.as('carol@example.com', 'GET', `/api/requests/${id}`);
    expect(view.body).toMatchObject({ status: 'changes_requested', round: 1 });
    expect(view.body.counterparties).toEqual([{ name: 'Example Org', country: 'US' }]);
  });

  it('should accept an outside contact and still ask every member of hr', async () => {
    const res = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      hrOnly({ counterparties: [{ name: 'Gamma Inc', country: 'US', contactEmail: 'jo@gamma.example' }] }),
    );
    expect(res.status).toBe(201);
    for (const member of ['hr@example.com', 'hr-lead@example.com']) {
      await eventually(
        async () => (await mailbox(member)).some((m) => m.links.some((l: string) => l.includes('/approvals/'))),
        `an approval email to ${member}`,
      );
    }
  });

  describe('when conflicts the requester does not control exclude every member of a party', () => {
    const deal = { dealName: 'Project Kestrel', counterpartyRole: 'target', involvement: 'due_diligence' };
    const dealRequest = () =>
      requestBody('ma_participation', { technologyAreas: ['none'], dataCategories: ['none'], details: deal });
    let id: string;

    beforeAll(async () => {
      // Everyone of hr is on the deal team: each asked to take part in the same deal.
      for (const [email, name, lead] of [
        ['hr@example.com', 'Hana Reyes (HR)', false],
        ['hr-lead@example.com', 'Helen Rossi (HR lead)', true],
      ] as const) {
        const put = await http.as('admin@example.com', 'PUT', `/api/directory/people/${email}`, {
          name,
          tier: 'standard',
          roles: ['employee', 'approver'],
          parties: [{ party: 'hr', lead }],
        });
        expect(put.status).toBe(200);
        expect((await http.as(email, 'POST', '/api/requests', dealRequest())).status).toBe(201);
      }
      const submitted = await http.as('carol@example.com', 'POST', '/api/requests', dealRequest());
      expect(submitted.status).toBe(201);
      id = submitted.body.id;
      const legal = await http.as('legal@example.com', 'POST', `/api/requests/${id}/decisions`, {
        party: 'legal',
        decision: 'approve',
      });
      expect(legal.status).toBe(200);
    });

    it('should refuse every member of hr', async () => {
      const res = await http.as('hr-lead@example.com', 'POST', `/api/requests/${id}/decisions`, {
        party: 'hr',
        decision: 'approve',
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CONFLICT_OF_INTEREST');
    });

    it('should email the compliance admins that nobody of hr may review the request', async () => {
      const notice = await eventually(
        async () => (await mailbox('admin@example.com')).find((m) => m.text.includes(id)),
        'a notice to the admins',
      );
      expect(notice.subject).toContain('nobody of hr may review');
      expect(notice.text).toContain(`/api/requests/${id}/reviewers`);
    });

    it('should let only an admin assign a reviewer, and only one who may decide', async () => {
      const path = `/api/requests/${id}/reviewers`;
      const notAdmin = await http.as('legal@example.com', 'POST', path, { party: 'hr', email: 'dave@example.com' });
      expect(notAdmin.status).toBe(403);
      const asRequester = await http.as('carol@example.com', 'POST', path, { party: 'hr', email: 'dave@example.com' });
      expect(asRequester.status).toBe(403);
      const refusals = [
        [{ party: 'hr', email: 'nobody@elsewhere.example' }, 400, 'VALIDATION_FAILED'],
        [{ party: 'hr', email: 'carol@example.com' }, 403, 'REQUESTER_CANNOT_DECIDE'],
        [{ party: 'hr', email: 'hr@example.com' }, 403, 'CONFLICT_OF_INTEREST'],
        [{ party: 'legal', email: 'dave@example.com' }, 409, 'PARTY_NOT_AWAITING'],
        [{ party: 'security', email: 'dave@example.com' }, 409, 'PARTY_HAS_REVIEWERS'],
        [{ party: 'hr' }, 400, 'VALIDATION_FAILED'],
      ] as const;
      for (const [body, status, code] of refusals) {
        const res = await http.as('admin@example.com', 'POST', path, body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
      }
      const unknown = await http.as('admin@example.com', 'POST', path, {
        party: 'hr',
        email: 'nobody@elsewhere.example',
      });
      expect(unknown.body.errors).toEqual([
        { field: 'email', messages: ['nobody@elsewhere.example is not a person in our directory'] },
      ]);
    });

    it('should let the assigned reviewer decide for that party on that request only', async () => {
      const assigned = await http.as('admin@example.com', 'POST', `/api/requests/${id}/reviewers`, {
        party: 'hr',
        email: 'Dave@Example.com',
      });
      expect(assigned.status).toBe(201);
      expect(assigned.body).toMatchObject({ party: 'hr', email: 'dave@example.com', assignedBy: 'admin@example.com' });

      const mail = await eventually(
        async () =>
          (await mailbox('dave@example.com')).find((m) => m.links.some((l: string) => l.includes('/approvals/'))),
        'an approval link to the assigned reviewer',
      );
      const link = mail.links.find((l: string) => l.includes('/approvals/'));
      const form = await http.request('GET', link);
      expect(form.status).toBe(200);

      expect((await http.as('dave@example.com', 'GET', `/api/requests/${id}`)).status).toBe(200);
      const otherParty = await http.as('dave@example.com', 'POST', `/api/requests/${id}/decisions`, {
        party: 'security',
        decision: 'approve',
      });
      expect(otherParty.status).toBe(403);
      expect(otherParty.body.code).toBe('NOT_PARTY_MEMBER');

      const decided = await http.as('dave@example.com', 'POST', `/api/requests/${id}/decisions`, {
        party: 'hr',
        decision: 'approve',
      });
      expect(decided.status).toBe(200);
      const hr = decided.body.stages.flatMap((s: any) => s.approvals).find((a: any) => a.party === 'hr');
      expect(hr).toMatchObject({ status: 'approved', decidedBy: 'dave@example.com' });

      const rows = await used.system.app
        .get(DataSource)
        .getRepository(AuditLogEntity)
        .find({ where: { event: 'request.reviewer_assigned' as never, requestId: id } });
      expect(rows.map((r) => [r.actor, JSON.parse(r.payload)])).toEqual([
        ['admin@example.com', expect.objectContaining({ party: 'hr', reviewer: 'dave@example.com' })],
      ]);
    });

    it('should not let the assigned reviewer decide on another request', async () => {
      const other = await http.as('carol@example.com', 'POST', '/api/requests', hrOnly());
      expect(other.status).toBe(201);
      const res = await http.as('dave@example.com', 'POST', `/api/requests/${other.body.id}/decisions`, {
        party: 'hr',
        decision: 'approve',
      });
      expect(res.status).toBe(404);
    });
  });
});
