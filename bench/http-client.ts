import * as http from 'node:http';

export interface BenchResponse<T> {
  status: number;
  body: T;
  text: string;
}

/**
 * The simulated users' HTTP client: node:http over one keep-alive agent. The tests' `Http` uses
 * `fetch` (undici), which cost this process several times more CPU per request in the bench's
 * profile, CPU the API and worker on the same two cores then lack.
 */
export class BenchHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly tokens = new Map<string, string>();
  private readonly urls: URL[];
  private next = 0;

  /** With several base URLs (the APIs of a cluster), requests go to each in turn. */
  constructor(baseUrl: string | string[]) {
    this.urls = (Array.isArray(baseUrl) ? baseUrl : [baseUrl]).map((u) => new URL(u));
  }

  async token(email: string): Promise<string> {
    const cached = this.tokens.get(email);
    if (cached) return cached;
    const res = await this.request<{ accessToken: string }>('POST', '/api/auth/dev-login', { email });
    if (res.status !== 200) throw new Error(`dev-login for ${email} answered ${res.status}: ${res.text}`);
    this.tokens.set(email, res.body.accessToken);
    return res.body.accessToken;
  }

  async as<T = unknown>(
    email: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<BenchResponse<T>> {
    return this.request<T>(method, path, body, { ...headers, authorization: `Bearer ${await this.token(email)}` });
  }

  request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<BenchResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = this.urls[this.next++ % this.urls.length];
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            ...headers,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const json = (res.headers['content-type'] ?? '').includes('application/json') && text;
            resolve({ status: res.statusCode ?? 0, body: (json ? JSON.parse(text) : undefined) as T, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
