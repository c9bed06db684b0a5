import { randomUUID } from 'node:crypto';
import type { RecordSubmissionInput } from '@libs/contracts';
import { initialState } from '@libs/domain/approval-state';
import { DEFAULT_POLICY, planRoute } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import { requestBody } from './factories';

/** What the workflow's first step gives `recordSubmission`: alice's conference request, submitted at `submittedAt`. */
export function submissionAt(submittedAt: string, requestId: string = randomUUID()): RecordSubmissionInput {
  const request = requestBody('conference') as RequestInput;
  const plan = planRoute({ request, tier: 'core', screeningHits: [] }, DEFAULT_POLICY);
  return {
    workflow: {
      requestId,
      request,
      requester: { email: 'alice@example.com', name: 'Alice Kim', tier: 'core' },
      policy: DEFAULT_POLICY,
      submittedAt,
      idempotencyKey: null,
      bodyHash: 'x',
    },
    plan,
    state: initialState(requestId, 'alice@example.com', plan),
  };
}
