import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { depositPassport, requestBody, sendBack } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 1: carol submits a plain conference trip that hr alone reviews, hr asks for
 * changes, and carol "amends" it into a presentation of chip designs and model weights in a high-risk
 * country to a restricted party. Screening and routing ran once at submission, so the amendment stayed
 * with hr alone and one hr approval approved it. An amendment is reviewed as what it now is.
 */
describe.each(testDatabases())('an amendment does not route around the review on $name', (database) => {
  const { http } = useSystem(database);

  beforeAll(async () => {
    const entry = await http.as('admin@example.com', 'POST', '/api/screening/entries', {
      name: 'Tehran Advanced Silicon Institute',
      country: 'IR',
      source: 'Test list',
    });
    expect(entry.status).toBe(201);
    await depositPassport(http, 'carol@example.com');
  });

  const partiesOf = (stages: any[], field: 'parties' | 'approvals'): string[] =>
    stages.flatMap((s) => s[field].map((p: any) => p.party)).sort();
  const plain = requestBody('conference', {
    destinationCountry: 'US',
    technologyAreas: ['none'],
    dataCategories: ['none'],
    counterparties: [{ name: 'Example Org', country: 'US' }],
    details: { eventName: 'Example Conf', presenting: false },
  });
  const amended = requestBody('conference', {
    destinationCountry: 'IR',
    technologyAreas: ['ai_chips'],
    dataCategories: ['model_weights'],
    counterparties: [{ name: 'Tehran Advanced Silicon Institute', country: 'IR' }],
    details: { eventName: 'Example Conf', presenting: true },
  });

  async function sentBackForChanges(): Promise<string> {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', plain);
    expect(submitted.status).toBe(201);
    expect(partiesOf(submitted.body.stages, 'approvals')).toEqual(['hr']);
    await sendBack(http, submitted.body.id, 'hr', 'hr@example.com', 'name the event organiser');
    return submitted.body.id as string;
  }

  it('should route the amended request as the dry run would, and not approve it on hr alone', async () => {
    const id = await sentBackForChanges();
    const res = await http.as('carol@example.com', 'POST', `/api/requests/${id}/amend`, amended);
    expect(res.status).toBe(200);

    const dryRun = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', amended);
    const needed = partiesOf(dryRun.body.stages, 'parties');
    expect(needed).toEqual(['data_governance', 'hr', 'legal', 'security']);
    expect(partiesOf(res.body.stages, 'approvals')).toEqual(needed);
    expect(res.body).toMatchObject({ status: 'pending', currentStage: 1, round: 2 });

    const asAuditor = await http.as('auditor@example.com', 'GET', `/api/requests/${id}`);
    expect(asAuditor.body.screeningHits).toEqual([
      expect.objectContaining({ entryName: 'Tehran Advanced Silicon Institute' }),
    ]);

    const hr = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(hr.status).toBe(200);
    expect(hr.body.status).toBe('pending');
    const asked = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=security%40example.com')).body;
      return mails.find((m) => m.text.includes('Restricted-party screening hits')) ?? false;
    }, 'security asked with the screening hit');
    expect(asked.text).toContain('Restricted-party screening hits');

    // The auditor's replay rebuilds the route as planned again, and it matches the records.
    const replay = await http.as('auditor@example.com', 'POST', `/api/audit/requests/${id}/replay`);
    expect(replay.body).toMatchObject({ deterministic: true, matchesRecords: true, mismatches: [] });
  });

  it('should mark approvals given on the earlier content as superseded and never count them', async () => {
    // hr approves the plain trip while data governance asks for changes (presenting brings it in).
    const submitted = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { ...plain, details: { eventName: 'Example Conf', presenting: true } }),
    );
    expect(partiesOf(submitted.body.stages, 'approvals')).toEqual(['data_governance', 'hr']);
    const id = submitted.body.id as string;
    await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      conditions: ['clean laptop only'],
    });
    await sendBack(http, id, 'data_governance', 'datagov@example.com', 'list the slides');

    const res = await http.as('carol@example.com', 'POST', `/api/requests/${id}/amend`, amended);
    expect(res.status).toBe(200);
    const approvals = res.body.stages.flatMap((s: any) => s.approvals);
    expect(approvals.filter((a: any) => a.status === 'superseded')).toEqual([
      expect.objectContaining({ party: 'hr', decidedBy: 'hr@example.com', conditions: ['clean laptop only'] }),
    ]);
    const live = approvals.filter((a: any) => a.status !== 'superseded');
    expect(live.map((a: any) => a.party).sort()).toEqual(['data_governance', 'hr', 'legal', 'security']);
    expect(live.every((a: any) => a.status === 'pending')).toBe(true);
    // The superseded approval does not count: hr decides again, and its approval alone approves nothing.
    const again = await http.as('hr-lead@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('pending');
  });

  it('should keep restarting only the current stage when the amendment does not change the route', async () => {
    const id = await sentBackForChanges();
    const res = await http.as('carol@example.com', 'POST', `/api/requests/${id}/amend`, {
      ...plain,
      purpose: 'Attend Example Conf, organised by Example Org',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', round: 2, screeningHits: [] });
    expect(partiesOf(res.body.stages, 'approvals')).toEqual(['hr']);
  });

  it('should check a passport release again on amendment, with the codes of a submission', async () => {
    const submitted = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('passport_release', { details: { reason: 'Conference travel' } }),
    );
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    await sendBack(http, id, 'security', 'security@example.com', 'link the trip');
    // The linked "trip" is carol's own request still under review: not an approved trip.
    const pendingTrip = await sentBackForChanges();
    const res = await http.as(
      'carol@example.com',
      'POST',
      `/api/requests/${id}/amend`,
      requestBody('passport_release', { details: { reason: 'Conference travel', travelRequestId: pendingTrip } }),
    );
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'TRAVEL_REQUEST_NOT_APPROVED' });
    expect((await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body.status).toBe('changes_requested');
  });
});
