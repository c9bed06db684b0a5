import type { ClientInterceptors, WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { requestContext } from './request-context';
import { REQUEST_ID_HEADER } from './request-id-header';

function withRequestId(headers: Headers): Headers {
  const requestId = requestContext.getStore()?.requestId;
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}

/** Puts the id of the HTTP request being served into the Temporal headers of every start, Update and signal. */
export class RequestIdClientInterceptor implements WorkflowClientInterceptor {
  start: WorkflowClientInterceptor['start'] = (input, next) =>
    next({ ...input, headers: withRequestId(input.headers) });
  startWithDetails: WorkflowClientInterceptor['startWithDetails'] = (input, next) =>
    next({ ...input, headers: withRequestId(input.headers) });
  startUpdate: WorkflowClientInterceptor['startUpdate'] = (input, next) =>
    next({ ...input, headers: withRequestId(input.headers) });
  startUpdateWithStart: WorkflowClientInterceptor['startUpdateWithStart'] = (input, next) =>
    next({
      ...input,
      workflowStartHeaders: withRequestId(input.workflowStartHeaders),
      updateHeaders: withRequestId(input.updateHeaders),
    });
  signal: WorkflowClientInterceptor['signal'] = (input, next) =>
    next({ ...input, headers: withRequestId(input.headers) });
  signalWithStart: WorkflowClientInterceptor['signalWithStart'] = (input, next) =>
    next({ ...input, headers: withRequestId(input.headers) });
}

/** The API's client interceptors: the request id always, OpenTelemetry spans when tracing is on. */
export function apiClientInterceptors(tracing: { enabled: boolean }): ClientInterceptors {
  return {
    workflow: [
      new RequestIdClientInterceptor(),
      ...(tracing.enabled ? [new OpenTelemetryWorkflowClientInterceptor()] : []),
    ],
  };
}
