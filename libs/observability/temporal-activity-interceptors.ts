import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER, REQUEST_ID_LOG_KEY, safeRequestId } from './request-id-header';

/** Adds the HTTP request id the workflow passed in the activity's headers to the activity `log` lines. */
export const requestIdActivityInterceptors: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        const header = input.headers[REQUEST_ID_HEADER];
        if (header) requestId = safeRequestId(defaultPayloadConverter.fromPayload(header));
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId ? { ...input, [REQUEST_ID_LOG_KEY]: requestId } : input),
    },
  };
};

const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx: ActivityContext): ActivityInterceptors => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/** The worker's activity interceptors: the request id always, OpenTelemetry spans when tracing is on. */
export function workerActivityInterceptors(tracing: { enabled: boolean }): ActivityInterceptorsFactory[] {
  return [requestIdActivityInterceptors, ...(tracing.enabled ? [tracingActivityInterceptors] : [])];
}
