/**
 * The Temporal header that carries the HTTP request id from the API's client calls into workflows
 * and on to their activities. Workflow-safe: no Node built-ins, imported by the workflow bundle.
 */
export const REQUEST_ID_HEADER = 'clearance-request-id';

/** The log attribute naming it (`requestId` already means a clearance request's id in this code). */
export const REQUEST_ID_LOG_KEY = 'httpRequestId';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A caller's X-Request-Id is kept only when it is a short token: nothing personal, nothing to inject. */
export function safeRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : undefined;
}
