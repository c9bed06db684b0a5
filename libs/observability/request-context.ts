import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safeRequestId } from './request-id-header';

export interface RequestContext {
  requestId: string;
}

/** The HTTP request being served, for code far from the controller (the Temporal client interceptor). */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * The request id of an HTTP request: the caller's X-Request-Id when it is a safe short token, else a
 * new UUID; echoed in the response header. Idempotent, so the logger and the context middleware agree.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = safeRequestId(req.headers['x-request-id']) ?? randomUUID();
  req.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
