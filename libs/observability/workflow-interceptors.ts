/**
 * Workflow interceptors, bundled with the workflow code (see WORKFLOW_INTERCEPTOR_MODULES): runs in
 * the workflow sandbox, so only workflow-safe imports, no Node built-ins, no I/O.
 *
 * - The HTTP request id (Temporal header `clearance-request-id`, set by the API's client
 *   interceptor) is added to workflow `log` lines and passed on to activities in their headers. A
 *   workflow hears from several HTTP requests (the submission, then each decision): the id is that
 *   of the call that most recently reached it.
 * - OpenTelemetry spans (@temporalio/interceptors-opentelemetry) only for calls that carry a trace
 *   context, i.e. when the API traces. Untraced workflows (tracing is off by default) pay nothing,
 *   and histories without trace headers replay without the span-exporter sink.
 */
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  defaultPayloadConverter,
  type Headers,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { REQUEST_ID_HEADER, REQUEST_ID_LOG_KEY, safeRequestId } from './request-id-header';

class RequestIdState {
  current?: string;
  traced = false;

  /** Remembers the request id (and whether tracing is asked) of an inbound call's headers. */
  heard(headers: Headers): boolean {
    const header = headers[REQUEST_ID_HEADER];
    if (header) this.current = safeRequestId(defaultPayloadConverter.fromPayload(header)) ?? this.current;
    const traced = TRACE_HEADER in headers;
    this.traced ||= traced;
    return traced;
  }

  headers(headers: Headers): Headers {
    return this.current
      ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(this.current) }
      : headers;
  }
}

function inbound(state: RequestIdState): WorkflowInboundCallsInterceptor {
  const otel = new OpenTelemetryInboundInterceptor();
  return {
    execute: (input, next) => (state.heard(input.headers) ? otel.execute(input, next) : next(input)),
    handleUpdate: (input, next) => (state.heard(input.headers) ? otel.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (TRACE_HEADER in input.headers ? otel.validateUpdate(input, next) : next(input)),
    handleSignal: (input, next) => (state.heard(input.headers) ? otel.handleSignal(input, next) : next(input)),
    handleQuery: (input, next) => (TRACE_HEADER in input.headers ? otel.handleQuery(input, next) : next(input)),
  };
}

function outbound(state: RequestIdState): WorkflowOutboundCallsInterceptor {
  const otel = new OpenTelemetryOutboundInterceptor();
  return {
    scheduleActivity: (input, next) => {
      const withId = { ...input, headers: state.headers(input.headers) };
      return state.traced ? otel.scheduleActivity(withId, next) : next(withId);
    },
    scheduleLocalActivity: (input, next) => {
      const withId = { ...input, headers: state.headers(input.headers) };
      return state.traced ? otel.scheduleLocalActivity(withId, next) : next(withId);
    },
    startChildWorkflowExecution: (input, next) => {
      const withId = { ...input, headers: state.headers(input.headers) };
      return state.traced ? otel.startChildWorkflowExecution(withId, next) : next(withId);
    },
    getLogAttributes: (input, next) => {
      const attributes = state.current ? { ...input, [REQUEST_ID_LOG_KEY]: state.current } : input;
      return state.traced ? otel.getLogAttributes(attributes, next) : next(attributes);
    },
  };
}

/** Reads the request id of an activation's start, Update and signal jobs before any of them runs or logs. */
function internals(state: RequestIdState): WorkflowInternalsInterceptor {
  return {
    activate: (input, next) => {
      for (const job of input.activation.jobs ?? []) {
        const headers = job.initializeWorkflow?.headers ?? job.doUpdate?.headers ?? job.signalWorkflow?.headers;
        if (headers) state.heard(headers);
      }
      next(input);
    },
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const state = new RequestIdState();
  return {
    inbound: [inbound(state)],
    outbound: [outbound(state)],
    internals: [internals(state), new OpenTelemetryInternalsInterceptor()],
  };
};
