import { requestBody } from '../../tests/support/factories';
import { approvalKey, expectedMessageId, type SinkMailbox } from './mailbox';
import type { Log } from './processes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const PARTIES = [
  { party: 'hr', members: ['hr@example.com', 'hr-lead@example.com'] },
  { party: 'legal', members: ['legal@example.com', 'legal-lead@example.com'] },
  { party: 'security', members: ['security@example.com', 'security-lead@example.com'] },
  { party: 'data_governance', members: ['datagov@example.com', 'datagov-lead@example.com'] },
] as const;
export const REQUESTER = 'carol@example.com';

interface Answer {
  status: number;
  text: string;
}

/** Thrown for what a client retries: no answer (refused, reset, timed out) or a 5xx. */
class Transient extends Error {}

/**
 * HTTP over loopback with a deadline per attempt; tokens survive API restarts (same signing secret).
 * With several API processes (the cluster drill), `api` picks one (modulo their number): a client
 * that gets no answer from one retries on the next.
 */
export class ChaosHttp {
  private readonly tokens = new Map<string, string>();
  readonly baseUrls: string[];
  /** Attempts sent to each API, by index. */
  readonly sentTo: number[];

  constructor(
    baseUrls: string | string[],
    private readonly attemptTimeoutMs: number,
  ) {
    this.baseUrls = Array.isArray(baseUrls) ? baseUrls : [baseUrls];
    this.sentTo = this.baseUrls.map(() => 0);
  }

  get apis(): number {
    return this.baseUrls.length;
  }

  async send(
    method: string,
    path: string,
    options: {
      json?: unknown;
      form?: Record<string, string>;
      as?: string;
      headers?: Record<string, string>;
      api?: number;
    } = {},
  ): Promise<Answer> {
    const api = (options.api ?? 0) % this.baseUrls.length;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    if (options.as) headers.authorization = `Bearer ${await this.token(options.as, api)}`;
    this.sentTo[api] += 1;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrls[api]}${path}`, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.attemptTimeoutMs),
      });
      text = await res.text();
    } catch (error) {
      throw new Transient(`${method} ${path}: ${(error as Error).message}`);
    }
    if (res.status >= 500) throw new Transient(`${method} ${path} answered ${res.status}`);
    return { status: res.status, text };
  }

  private async token(email: string, api: number): Promise<string> {
    const cached = this.tokens.get(email);
    if (cached) return cached;
    const res = await this.send('POST', '/api/auth/dev-login', { json: { email }, api });
    if (res.status !== 200) throw new Error(`dev-login for ${email} answered ${res.status}: ${res.text}`);
    const token = (JSON.parse(res.text) as { accessToken: string }).accessToken;
    this.tokens.set(email, token);
    return token;
  }
}

/** Calls `attempt` until it returns, retrying transient failures with capped backoff. */
async function retrying<T>(
  deadline: number,
  what: string,
  attempt: (n: number) => Promise<T>,
  onRetry: (error: Error) => void,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof Transient)) throw error;
      if (Date.now() > deadline) throw new Error(`${what}: gave up at the deadline (${error.message})`);
      onRetry(error);
      await sleep(Math.min(250 * 2 ** n, 3000));
    }
  }
}

export interface LoadStats {
  /** Idempotency-Key → request ID, as answered by the API. */
  submitted: Map<string, string>;
  submitAttempts: number;
  submitRetries: number;
  /** Answers 200 (an earlier attempt under the same key had created it) rather than 201. */
  submitReplays: number;
  decideAttempts: number;
  decideRetries: number;
  decidedOk: number;
  /** 409 on a retry whose earlier attempt had been applied (the view shows our decision). */
  decidedAlready: number;
  viaLink: number;
  viaApi: number;
  /** Everything a client could not explain: refused decisions, wrong decider, gave up. */
  failures: string[];
  /** Calls waiting for an answer right now, so a fault can be aimed at one. */
  inFlight: { submit: number; decide: number };
  /** Links that decided (path, on which API index it was used), for the single-use checks afterwards. */
  usedLinks: { path: string; api: number }[];
}

export function createLoadStats(): LoadStats {
  return {
    submitted: new Map(),
    submitAttempts: 0,
    submitRetries: 0,
    submitReplays: 0,
    decideAttempts: 0,
    decideRetries: 0,
    decidedOk: 0,
    decidedAlready: 0,
    viaLink: 0,
    viaApi: 0,
    failures: [],
    inFlight: { submit: 0, decide: 0 },
    usedLinks: [],
  };
}

export interface LoadOptions {
  requests: number;
  /** Submissions are spread over this long, so the faults hit a system under load. */
  spreadMs: number;
  runId: string;
  deadline: number;
  log: Log;
}

/**
 * Carol submits N departure_abroad requests (four parties, one stage) with Idempotency-Keys. For
 * each party one member waits for their approval email in the sink and approves, alternately
 * through the email's link and through the API. Every call retries until it gets an answer.
 */
export async function runLoad(
  http: ChaosHttp,
  mailbox: SinkMailbox,
  options: LoadOptions,
  stats: LoadStats = createLoadStats(),
): Promise<LoadStats> {
  const { deadline, log } = options;
  const start = Date.now();

  const submit = async (i: number): Promise<string> => {
    const key = `chaos-${options.runId}-${i}`;
    const body = requestBody('departure_abroad', { purpose: `Chaos drill request ${i}` });
    return retrying(
      deadline,
      `submit ${key}`,
      async (n) => {
        stats.submitAttempts += 1;
        stats.inFlight.submit += 1;
        // with several APIs, request i goes to API i, and a retry to the next one (same key)
        const res = await http
          .send('POST', '/api/requests', {
            json: body,
            as: REQUESTER,
            headers: { 'idempotency-key': key },
            api: i + n,
          })
          .finally(() => (stats.inFlight.submit -= 1));
        if (res.status !== 201 && res.status !== 200)
          throw new Error(`submit ${key} answered ${res.status}: ${res.text}`);
        if (res.status === 200) stats.submitReplays += 1;
        const id = (JSON.parse(res.text) as { id: string }).id;
        stats.submitted.set(key, id);
        return id;
      },
      () => (stats.submitRetries += 1),
    );
  };

  /** The view's approval for a party, read as an auditor (who may read every request). */
  const approvalOf = async (id: string, party: string, api: number) => {
    const res = await http.send('GET', `/api/requests/${id}`, { as: 'auditor@example.com', api });
    if (res.status !== 200) return null;
    const view = JSON.parse(res.text) as {
      stages: { approvals: { party: string; status: string; decidedBy: string | null }[] }[];
    };
    return view.stages.flatMap((s) => s.approvals).find((a) => a.party === party) ?? null;
  };

  const decide = async (id: string, i: number, pi: number): Promise<void> => {
    const { party, members } = PARTIES[pi];
    const member = members[(i + pi) % 2];
    const viaLink = (i + pi) % 2 === 0;
    const messageId = expectedMessageId(approvalKey(id, party, member));
    // An approver acts on the email they received.
    let link: string | undefined;
    while (!link) {
      if (Date.now() > deadline) throw new Error(`${member} never received the approval email for ${id} (${party})`);
      mailbox.refresh();
      link = mailbox.find(messageId)[0]?.links.find((l) => l.includes('/approvals/'));
      if (!link) await sleep(250);
    }
    let attempts = 0;
    const status = await retrying(
      deadline,
      `decide ${id} ${party}`,
      async (n) => {
        attempts += 1;
        stats.decideAttempts += 1;
        stats.inFlight.decide += 1;
        // with several APIs: a link is used on the API after the one the request was submitted to
        // (links name the first API's PUBLIC_URL; any API serves them), a retry on the next one
        const api = viaLink ? i + 1 + n : i + n;
        const res = await (
          viaLink
            ? http.send('POST', new URL(link).pathname, { form: { decision: 'approve' }, api })
            : http.send('POST', `/api/requests/${id}/decisions`, {
                json: { party, decision: 'approve' },
                as: member,
                api,
              })
        ).finally(() => (stats.inFlight.decide -= 1));
        if (viaLink && res.status === 200) stats.usedLinks.push({ path: new URL(link).pathname, api });
        return res.status;
      },
      () => (stats.decideRetries += 1),
    );
    if (viaLink) stats.viaLink += 1;
    else stats.viaApi += 1;
    if (status === 200) {
      stats.decidedOk += 1;
      return;
    }
    if (status === 409 && attempts > 1) {
      // An earlier attempt got through but its answer was lost: the view must show our decision.
      const until = Math.min(deadline, Date.now() + 60_000);
      while (Date.now() < until) {
        const approval = await approvalOf(id, party, i).catch(() => null);
        if (approval?.status === 'approved' && approval.decidedBy === member) {
          stats.decidedAlready += 1;
          return;
        }
        await sleep(500);
      }
    }
    stats.failures.push(`decision ${id} ${party} by ${member} answered ${status} after ${attempts} attempt(s)`);
  };

  const perRequest = async (i: number): Promise<void> => {
    await sleep(Math.max(0, start + (i * options.spreadMs) / options.requests - Date.now()));
    const id = await submit(i);
    await Promise.all(PARTIES.map((_, pi) => decide(id, i, pi)));
  };

  const results = await Promise.allSettled(Array.from({ length: options.requests }, (_, i) => perRequest(i)));
  for (const r of results)
    if (r.status === 'rejected') stats.failures.push(String((r.reason as Error)?.message ?? r.reason));
  log(
    `load: ${stats.submitted.size}/${options.requests} submitted, ${stats.decidedOk + stats.decidedAlready} decisions applied, ${stats.failures.length} client failures`,
  );
  return stats;
}
