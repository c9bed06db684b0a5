import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedMail, SmtpCapture } from './smtp-capture';

/**
 * What `/dev/mailbox` reads (dev mode only): the capture server this process runs, or, when
 * several API processes share one standalone capture (`npm run start:cluster`), that capture over
 * loopback HTTP, so every API shows the same mail. The class is the Nest DI token.
 */
export abstract class Mailbox {
  /** Newest first; optionally only mails to one address. */
  abstract list(to?: string): Promise<CapturedMail[]>;
  abstract clear(): Promise<void>;
}

export class LocalMailbox extends Mailbox {
  constructor(private readonly capture: SmtpCapture) {
    super();
  }
  list(to?: string): Promise<CapturedMail[]> {
    return Promise.resolve(this.capture.list(to));
  }
  clear(): Promise<void> {
    this.capture.clear();
    return Promise.resolve();
  }
}

/** A standalone capture's store, served by `serveMailbox` at `baseUrl` (SMTP_CAPTURE_URL). */
export class RemoteMailbox extends Mailbox {
  constructor(private readonly baseUrl: string) {
    super();
  }
  async list(to?: string): Promise<CapturedMail[]> {
    const url = new URL('/mails', this.baseUrl);
    if (to !== undefined) url.searchParams.set('to', to);
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`the SMTP capture at ${this.baseUrl} answered ${res.status}`);
    return (await res.json()) as CapturedMail[];
  }
  async clear(): Promise<void> {
    const res = await fetch(new URL('/mails', this.baseUrl), { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`the SMTP capture at ${this.baseUrl} answered ${res.status}`);
  }
}

/**
 * Serves a capture's store over HTTP for RemoteMailbox: `GET /mails[?to=]` and `DELETE /mails`.
 * Loopback only by default: it hands out approval links, which are credentials.
 */
export async function serveMailbox(
  capture: SmtpCapture,
  port: number,
  host = '127.0.0.1',
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://capture');
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (url.pathname !== '/mails') return send(404, { error: 'not found' });
    if (req.method === 'GET') return send(200, capture.list(url.searchParams.get('to') ?? undefined));
    if (req.method === 'DELETE') {
      capture.clear();
      return send(204);
    }
    send(405, { error: 'method not allowed' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
