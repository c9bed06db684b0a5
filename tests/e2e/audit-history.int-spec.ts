import { Worker } from '@temporalio/worker';
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DataSource } from 'typeorm';
import { EncryptionCodec } from '@libs/crypto';
import { DecisionEntity, HistoryArchiveEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';

/** Audit: export (archive or live), replay against today's code, rebuild the trail, match the records. */
describe.each(testDatabases())('audit history on $name', (database) => {
  let system: TestSystem;
  let http: Http;

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const plain = { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } };

  it('should archive a closed history, export it in the standard form, replay it and match the records', async () => {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('overseas_assignment'))).body;
    await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
      conditions: ['clean laptop only'],
    });
    await http.as('security@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'security',
      decision: 'reject',
      comment: 'host entity under review',
    });
    const ds = system.app.get(DataSource);
    await eventually(
      async () => (await ds.getRepository(HistoryArchiveEntity).countBy({ requestId: view.id })) > 0,
      'the archive',
    );

    const exported = await http.as('auditor@example.com', 'GET', `/api/audit/requests/${view.id}/history`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('x-history-source')).toBe('archive');
    expect(exported.headers.get('x-history-sha256')).toMatch(/^[0-9a-f]{64}$/);
    expect(exported.body.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    // The standard replayer accepts the exported file (with the codec for its encrypted payloads).
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
        dataConverter: { payloadCodecs: [system.app.get(EncryptionCodec)] },
      },
      historyFromJSON(exported.body),
    );

    const replay = await http.as('auditor@example.com', 'POST', `/api/audit/requests/${view.id}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      deterministic: true,
      matchesRecords: true,
      mismatches: [],
      source: 'archive',
      policyVersion: 1,
    });
    expect(replay.body.eventCount).toBeGreaterThan(10);
    expect(replay.body.decisions).toEqual([
      expect.objectContaining({
        party: 'hr',
        decision: 'approve',
        decidedBy: 'hr@example.com',
        conditions: ['clean laptop only'],
      }),
      expect.objectContaining({ party: 'security', decision: 'reject', comment: 'host entity under review' }),
    ]);

    // Someone edits a decision in the database: the replay names the difference.
    await ds
      .getRepository(DecisionEntity)
      .update({ requestId: view.id, party: 'security' }, { comment: 'approved after all', decision: 'approve' });
    const tampered = await http.as('admin@example.com', 'POST', `/api/audit/requests/${view.id}/replay`);
    expect(tampered.body.matchesRecords).toBe(false);
    expect(tampered.body.mismatches).toEqual(
      expect.arrayContaining([
        { field: 'decisions[1].decision', history: 'reject', records: 'approve' },
        { field: 'decisions[1].comment', history: 'host entity under review', records: 'approved after all' },
      ]),
    );
  });

  it('should rebuild the rounds, the amendment and the withdrawal from the history', async () => {
    const body = requestBody('conference', plain);
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', body)).body;
    await eventually(async () => {
      const v = (await http.as('carol@example.com', 'GET', `/api/requests/${view.id}`)).body;
      return v.stages[0].approvals.some((a: any) => a.party === 'hr' && a.status === 'pending');
    }, 'hr asked');
    const sent = await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'hr',
      decision: 'request_changes',
      comment: 'name the event',
    });
    expect(sent.status).toBe(200);
    const amended = await http.as('carol@example.com', 'POST', `/api/requests/${view.id}/amend`, {
      ...body,
      purpose: 'Present a paper at Example Conf',
    });
    expect(amended.status).toBe(200);
    const withdrawn = await http.as('carol@example.com', 'POST', `/api/requests/${view.id}/withdraw`, {
      reason: 'the event moved online',
    });
    expect(withdrawn.status).toBe(200);

    const replay = await http.as('auditor@example.com', 'POST', `/api/audit/requests/${view.id}/replay`);
    expect(replay.body).toMatchObject({ deterministic: true, matchesRecords: true });
    expect(replay.body.decisions).toEqual([
      expect.objectContaining({ party: 'hr', decision: 'request_changes', round: 1, via: 'api' }),
    ]);
    expect(replay.body.amendments).toEqual([{ by: 'carol@example.com', at: expect.any(String) }]);
    expect(replay.body.withdrawal).toEqual({
      by: 'carol@example.com',
      at: expect.any(String),
      reason: 'the event moved online',
    });
  });

  it('should fetch the history of a running request live', async () => {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference', plain))).body;
    const exported = await http.as('auditor@example.com', 'GET', `/api/audit/requests/${view.id}/history`);
    expect(exported.headers.get('x-history-source')).toBe('live');
    const replay = await http.as('auditor@example.com', 'POST', `/api/audit/requests/${view.id}/replay`);
    expect(replay.body).toMatchObject({ deterministic: true, matchesRecords: true, source: 'live', decisions: [] });
  });

  it('should hand out an evidence pack whose hashes an outside auditor can check', async () => {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference', plain))).body;
    await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, { party: 'hr', decision: 'approve' });
    const res = await fetch(`${system.baseUrl}/api/audit/requests/${view.id}/evidence`, {
      headers: { authorization: `Bearer ${await http.token('auditor@example.com')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/zip');
    const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
    expect(Object.keys(zip.files).sort()).toEqual(
      [
        'README.txt',
        'SHA256SUMS',
        'chain-proof.json',
        'code-version.json',
        'documents.json', // decision documents of external authorizations checked (none here)
        'history.json',
        'record.json',
        'trail.json',
      ].sort(),
    );
    const sums = (await zip.file('SHA256SUMS')!.async('string')).trim().split('\n');
    for (const line of sums) {
      const [hash, name] = line.split(/\s+/);
      const content = await zip.file(name)!.async('string');
      expect(createHash('sha256').update(content).digest('hex')).toBe(hash);
    }
    const trail = JSON.parse(await zip.file('trail.json')!.async('string'));
    expect(trail).toMatchObject({ deterministic: true, matchesRecords: true });
    expect(trail.decisions).toHaveLength(1);
    const proof = JSON.parse(await zip.file('chain-proof.json')!.async('string'));
    expect(proof.rows.length).toBeGreaterThan(0);
    expect((await http.as('carol@example.com', 'GET', `/api/audit/requests/${view.id}/evidence`)).status).toBe(403);
  });

  it('should refuse everyone but auditors and admins', async () => {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference', plain))).body;
    for (const who of ['carol@example.com', 'hr@example.com', 'custodian@example.com']) {
      expect((await http.as(who, 'GET', `/api/audit/requests/${view.id}/history`)).status).toBe(403);
      expect((await http.as(who, 'POST', `/api/audit/requests/${view.id}/replay`)).status).toBe(403);
    }
    expect((await http.request('GET', `/api/audit/requests/${view.id}/history`)).status).toBe(401);
    expect(
      (await http.as('auditor@example.com', 'GET', '/api/audit/requests/00000000-0000-4000-8000-000000000000/history'))
        .status,
    ).toBe(404);
  });
});
