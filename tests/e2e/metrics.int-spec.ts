import { Client, Connection } from '@temporalio/client';
import type { Response } from 'express';
import { MetricsController } from '../../apps/api/metrics/metrics.controller';
import type { MetricsService } from '../../apps/api/metrics/metrics.service';
import { workflowIdFor } from '@libs/contracts';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { sample } from '../support/prometheus';
import { useSystem } from '../support/system';
import { grantAuthorizations } from '../support/authorizations';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('GET /metrics', () => {
  const database = testDatabases()[0];
  const sut = useSystem(database, { METRICS_TOKEN: TOKEN });
  const { http } = sut;
  const scrape = async () => {
    const res = await http.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text;
  };

  it('should refuse a scrape without the METRICS_TOKEN bearer token', async () => {
    expect((await http.request('GET', '/metrics')).status).toBe(401);
    const wrong = await http.request('GET', '/metrics', { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    // a person's token is not a metrics token
    expect((await http.as('admin@example.com', 'GET', '/metrics')).status).toBe(401);
  });

  it('should stay closed in production when METRICS_TOKEN is unset', async () => {
    const service = { contentType: 'text/plain', render: () => Promise.resolve('') } as unknown as MetricsService;
    const production = { ...sut.system.config, devMode: false, env: 'production' as const, metrics: {} };
    const controller = new MetricsController(production, service);
    await expect(controller.scrape(undefined, {} as Response)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const development = new MetricsController({ ...sut.system.config, metrics: {} }, service);
    const sent: string[] = [];
    const res = { setHeader: () => res, send: (body: string) => sent.push(body) } as unknown as Response;
    await development.scrape(undefined, res);
    expect(sent).toHaveLength(1);
  });

  it('should move the request, decision, email and HTTP metrics over one request cycle', async () => {
    const before = await scrape();
    const submitted = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'), {
      'x-request-id': 'metrics-cycle-1',
    });
    expect(submitted.status).toBe(201);
    expect(submitted.headers.get('x-request-id')).toBe('metrics-cycle-1');
    const id = submitted.body.id as string;
    // alice is core: the exit approval the default policy asks of her is granted up front
    await grantAuthorizations(http, submitted.body);
    const deciders = [
      ['hr@example.com', 'hr'],
      ['legal@example.com', 'legal'],
      ['security@example.com', 'security'],
      ['datagov@example.com', 'data_governance'],
    ] as const;
    let status = '';
    for (const [email, party] of deciders) {
      const res = await http.as(email, 'POST', `/api/requests/${id}/decisions`, { party, decision: 'approve' });
      expect(res.status).toBe(200);
      status = res.body.status;
    }
    expect(status).toBe('approved');

    const after = await eventually(async () => {
      const text = await scrape();
      // the outcome email is the last thing the workflow sends
      return sample(text, 'clearance_emails_sent_total', { kind: 'outcome' }) >
        sample(before, 'clearance_emails_sent_total', { kind: 'outcome' })
        ? text
        : undefined;
    }, 'the outcome email in the metrics');

    const moved = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved('clearance_requests', { type: 'conference', status: 'approved' })).toBe(1);
    for (const [, party] of deciders) {
      expect({ party, n: moved('clearance_decisions_total', { party, decision: 'approve' }) }).toEqual({ party, n: 1 });
      expect(moved('clearance_time_to_decision_seconds_count', { party })).toBe(1);
    }
    expect(moved('clearance_emails_sent_total', { kind: 'approval' })).toBeGreaterThan(0);
    expect(
      moved('clearance_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/requests',
        status: '201',
      }),
    ).toBe(1);
    expect(
      moved('clearance_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/requests/:id/decisions',
        status: '200',
      }),
    ).toBe(4);
    expect(sample(after, 'clearance_business_metrics_up')).toBe(1);
    expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // labels are vocabulary and route patterns only: no person, no request id
    expect(after).not.toMatch(/@|metrics-cycle-1/);
    expect(after).not.toContain(id);
  });

  it('should answer with a request id, keeping a safe X-Request-Id and replacing anything else', async () => {
    const kept = await http.request('GET', '/health/live', { headers: { 'x-request-id': 'abc-123_X.y' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123_X.y');
    const replaced = await http.request('GET', '/health/live', { headers: { 'x-request-id': 'alice@example.com' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await http.request('GET', '/health/live');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should carry the request id into the workflow and its activities (Temporal headers)', async () => {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference'), {
      'x-request-id': 'carried-into-temporal',
    });
    expect(submitted.status).toBe(201);
    const connection = await Connection.connect({ address: sut.system.config.temporal.address });
    try {
      const client = new Client({ connection, namespace: sut.system.config.temporal.namespace });
      const history = await client.workflow.getHandle(workflowIdFor(submitted.body.id)).fetchHistory();
      const header = (fields: Record<string, { data?: Uint8Array | null }> | null | undefined) => {
        const data = fields?.['clearance-request-id']?.data;
        return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : undefined;
      };
      const events = history.events ?? [];
      expect(header(events[0].workflowExecutionStartedEventAttributes?.header?.fields)).toBe('carried-into-temporal');
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
      expect(scheduled.length).toBeGreaterThan(0);
      for (const e of scheduled) {
        expect(header(e.activityTaskScheduledEventAttributes?.header?.fields)).toBe('carried-into-temporal');
      }
    } finally {
      await connection.close();
    }
  });
});
