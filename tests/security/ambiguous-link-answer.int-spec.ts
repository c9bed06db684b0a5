import { DataSource } from 'typeorm';
import { TemporalGateway } from '../../apps/api/temporal/temporal.gateway';
import { DomainError } from '../../apps/api/common/domain-error';
import { DecisionEntity, RequestProjectionWriter } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, item 10: after an ambiguous 503 (Temporal timed out or went away after the decision's
 * Update was sent) the link page said "Nothing was recorded" although the Update may have landed.
 * The page looks the outcome up and says what happened. The failure is injected at the API's one
 * door to Temporal (the real Update is sent, or not, and then the answer is lost); everything else is real.
 */
describe.each(testDatabases())('the link page tells what happened after an ambiguous failure on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  let restore: (() => void) | undefined;

  afterEach(() => restore?.());

  const mailbox = async (to: string): Promise<any[]> =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const rid = (link: string): string =>
    JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString()).rid;
  async function hrLink(): Promise<{ id: string; link: string }> {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('conference'))).body;
    const link = await eventually(
      async () => (await mailbox('hr@example.com')).flatMap((m) => m.links as string[]).find((l) => rid(l) === view.id),
      'the hr link',
    );
    return { id: view.id, link };
  }

  /** Makes the gateway lose the answer of the next decisions: `send` says what reaches the workflow first. */
  function loseAnswers(
    send: (real: TemporalGateway['update'], args: Parameters<TemporalGateway['update']>) => Promise<unknown>,
  ) {
    const gateway = used.system.app.get(TemporalGateway);
    const real: TemporalGateway['update'] = gateway.update.bind(gateway);
    gateway.update = async (...args: Parameters<TemporalGateway['update']>) => {
      await send(real, args);
      throw new DomainError('UNAVAILABLE', 'the workflow engine did not answer; try again');
    };
    restore = () => {
      gateway.update = real;
      restore = undefined;
    };
  }

  const hrDecisions = async (id: string) =>
    (await used.system.app.get(DataSource).getRepository(DecisionEntity).findBy({ requestId: id, party: 'hr' })).map(
      (d) => d.decidedBy,
    );

  it('should say the decision was recorded when it landed although its answer was lost', async () => {
    const { id, link } = await hrLink();
    loseAnswers((real, args) => real(...args));
    const page = await http.request('POST', link, { form: { decision: 'approve', comment: 'fine' } });
    expect(page.text).not.toContain('Nothing was recorded');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Decision recorded');
    expect(await hrDecisions(id)).toEqual(['hr@example.com']);
  });

  it('should say it could not confirm yet, not that nothing was recorded, when the request does not show it', async () => {
    const { id, link } = await hrLink();
    loseAnswers(async () => undefined);
    const page = await http.request('POST', link, { form: { decision: 'approve', comment: 'fine' } });
    expect(page.status).toBe(503);
    expect(page.text).not.toContain('Nothing was recorded');
    expect(page.text).toContain('could not confirm');
    expect(page.text).toContain('Reload this page');
    expect(await hrDecisions(id)).toEqual([]);
  });

  it('should have the workflow write a decision the API failed to write, so the answer and the records show it', async () => {
    // Four parties in one stage: hr's decision leaves it open, so the API writes it from the Update's answer.
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('departure_abroad'))).body;
    const writer = used.system.app.get(RequestProjectionWriter);
    const real = writer.projectState.bind(writer);
    writer.projectState = async () => {
      throw new Error('the database went away');
    };
    restore = () => {
      writer.projectState = real;
      restore = undefined;
    };
    const answer = await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.stages[0].approvals.find((a: any) => a.party === 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'hr@example.com',
    });
    expect(await hrDecisions(view.id)).toEqual(['hr@example.com']);
  });

  it('should say nothing was recorded, and who decided, when another member decided first', async () => {
    const { id, link } = await hrLink();
    loseAnswers((real, [requestId, definition, arg]) =>
      real(requestId, definition, { ...arg, actorEmail: 'hr-lead@example.com' }),
    );
    const page = await http.request('POST', link, { form: { decision: 'approve', comment: 'fine' } });
    expect(page.status).toBe(409);
    expect(page.text).toContain('Already decided by hr-lead@example.com');
    expect(page.text).toContain('Nothing was recorded');
    expect(await hrDecisions(id)).toEqual(['hr-lead@example.com']);
  });
});
