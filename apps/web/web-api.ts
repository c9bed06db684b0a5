import type { PageRequest } from './session/web-session';
import { ApiRefusal, type ApiErrorBody } from './page-errors';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The pages call the same JSON API that scripts use, over loopback, with the signed-in person's
 * token. So a page can never do what the API would refuse: authorization, validation and the
 * field-level errors come from one place.
 */
export class WebApi {
  private readonly base: string;

  constructor(private readonly req: PageRequest) {
    let address = req.socket.localAddress ?? '127.0.0.1';
    if (address.startsWith('::ffff:')) address = address.slice('::ffff:'.length);
    const host = address.includes(':') ? `[${address}]` : address;
    this.base = `http://${host}:${req.socket.localPort}`;
  }

  /** Any answer, for callers that turn 4xx into a page of their own (form errors). */
  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.req.sessionToken) headers.authorization = `Bearer ${this.req.sessionToken}`;
    const requestId = this.req.headers['x-request-id'];
    if (typeof requestId === 'string') headers['x-request-id'] = requestId;
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed = type.includes('json') && text ? (JSON.parse(text) as T) : (text as T);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Sends one file as the multipart field `document` (the page's upload forms pass theirs on). */
  async upload<T>(
    method: string,
    path: string,
    file: { bytes: Buffer; name: string; type: string },
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.req.sessionToken) headers.authorization = `Bearer ${this.req.sessionToken}`;
    const requestId = this.req.headers['x-request-id'];
    if (typeof requestId === 'string') headers['x-request-id'] = requestId;
    const form = new FormData();
    form.append('document', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
    const response = await fetch(`${this.base}${path}`, { method, headers, body: form, redirect: 'manual' });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
      headers: response.headers,
    };
  }

  /** The answer as it came (binary-safe: zips, downloads), for pages that pass it through. */
  async raw(method: string, path: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.req.sessionToken) headers.authorization = `Bearer ${this.req.sessionToken}`;
    const requestId = this.req.headers['x-request-id'];
    if (typeof requestId === 'string') headers['x-request-id'] = requestId;
    return fetch(`${this.base}${path}`, { method, headers, redirect: 'manual' });
  }

  /** A 2xx answer's body; anything else becomes an error page with the API's own message. */
  async get<T>(path: string): Promise<T> {
    return this.ok<T>('GET', path);
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.ok<T>('POST', path, body);
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.send<T>(method, path, body);
    if (answer.status >= 400) throw new ApiRefusal(answer.status, answer.body as ApiErrorBody);
    return answer.body;
  }
}

/** Query string from a record, leaving out empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
