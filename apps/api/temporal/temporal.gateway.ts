import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { UpdateDefinition } from '@temporalio/common';
import type { AppConfig } from '@libs/config';
import { EncryptionCodec, UpdateProofs } from '@libs/crypto';
import {
  catchUpUpdate,
  SEARCH_ATTRIBUTES,
  submittedUpdate,
  workflowIdFor,
  type RequestWorkflowInput,
} from '@libs/contracts';
import type { RequestState } from '@libs/domain/approval-state';
import { isRefusalCode } from '@libs/domain/refusals';
import { apiClientInterceptors } from '@libs/observability';
import { temporalConnectionOptions } from '@libs/temporal';
import type { requestApprovalWorkflow } from '../../../workflows';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../common/tokens';

/** How long a catch-up after a lost answer may hold the caller's 503. */
const CATCH_UP_WAIT_MS = 5_000;

/** The API's only door to Temporal: starts request workflows and sends them Updates. */
@Injectable()
export class TemporalGateway implements OnApplicationShutdown {
  private readonly logger = new Logger(TemporalGateway.name);
  private connection?: Connection;
  private client?: Promise<Client>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly codec: EncryptionCodec,
    private readonly proofs: UpdateProofs,
  ) {}

  /** Connects lazily (the API starts even while Temporal is down) and once, however many callers wait. */
  private getClient(): Promise<Client> {
    this.client ??= Connection.connect({
      ...temporalConnectionOptions(this.config.temporal),
      connectTimeout: '5s',
    }).then(
      (connection) => {
        this.connection = connection;
        return new Client({
          connection,
          namespace: this.config.temporal.namespace,
          dataConverter: { payloadCodecs: [this.codec] },
          // the HTTP request id in Temporal headers; spans when tracing is on (libs/observability)
          interceptors: apiClientInterceptors(this.config.tracing),
        });
      },
      (error: unknown) => {
        this.client = undefined;
        throw error;
      },
    );
    return this.client;
  }

  /**
   * Starts the workflow of a request (or attaches to the one already running under that ID) and
   * waits until it has screened, planned and recorded the submission: one round trip, in which a
   * retried submission finds the first one. The input carries the request's proof key (encrypted
   * like every payload), with which the workflow tells the API's Updates from anyone else's.
   */
  async submit(submission: Omit<RequestWorkflowInput, 'proofKey'>): Promise<RequestState> {
    const input: RequestWorkflowInput = { ...submission, proofKey: this.proofs.keyFor(submission.requestId) };
    const client = await this.getClient();
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof requestApprovalWorkflow>(
      'requestApprovalWorkflow',
      {
        workflowId: workflowIdFor(input.requestId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.requestType, value: input.request.type },
          { key: SEARCH_ATTRIBUTES.requester, value: input.requester.email },
          { key: SEARCH_ATTRIBUTES.status, value: 'pending' },
        ],
      },
    );
    try {
      return await client.workflow.executeUpdateWithStart(submittedUpdate, { startWorkflowOperation });
    } catch (error) {
      this.logger.error(`submission ${input.requestId} failed: ${String(error)}`);
      throw new DomainError(
        'UNAVAILABLE',
        'the workflow engine did not take the request; nothing was recorded, try again',
      );
    }
  }

  /** Sends an Update and waits for the workflow to accept and apply it; refusals become DomainErrors. */
  async update<Arg extends object, Ret extends RequestState = RequestState>(
    requestId: string,
    definition: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
  ): Promise<Ret> {
    return this.updateWorkflow({ workflowId: workflowIdFor(requestId), requestId }, definition, arg);
  }

  /**
   * After a decision's answer was lost: asks the request's workflow to write every state it committed
   * that the database may not hold yet. Best effort: when the workflow does not answer, it writes them
   * anyway with its next write.
   */
  async catchUp(requestId: string, waitMs = CATCH_UP_WAIT_MS): Promise<void> {
    const target = { workflowId: workflowIdFor(requestId), requestId };
    let timer: NodeJS.Timeout | undefined;
    try {
      // Bounded: when Temporal is away the caller has waited for it once already.
      await Promise.race([
        this.updateWorkflow(target, catchUpUpdate, { askedAt: new Date().toISOString() }),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
      ]);
    } catch (error) {
      this.logger.warn(`request ${requestId}: could not ask the workflow to catch up: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends an Update to any workflow of a request (the request's own, or its custody workflow),
   * proven with the request's key so the workflow knows it comes from the API; refusals become DomainErrors.
   */
  async updateWorkflow<Ret, Arg extends object>(
    target: { workflowId: string; requestId: string },
    definition: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
  ): Promise<Ret> {
    const { workflowId, requestId } = target;
    const client = await this.getClient();
    const handle = client.workflow.getHandle(workflowId);
    try {
      return await handle.executeUpdate(definition, { args: [this.proofs.sign(requestId, definition.name, arg)] });
    } catch (error) {
      // A validator's refusal: its failure's type is a code of the one refusal vocabulary.
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        const code = error.cause.type;
        if (isRefusalCode(code)) throw DomainError.refused({ code, message: error.cause.message });
      }
      if (error instanceof WorkflowNotFoundError || /already completed/i.test(String((error as Error)?.message))) {
        throw new DomainError('REQUEST_NOT_PENDING', 'the workflow has already finished');
      }
      this.logger.error(`update ${definition.name} on ${workflowId} failed: ${String(error)}`);
      throw new DomainError('UNAVAILABLE', 'the workflow engine did not answer; try again');
    }
  }

  /** A workflow's history in Temporal's standard JSON export form (payloads as stored: encrypted). */
  async historyJson(workflowId: string): Promise<string | null> {
    const client = await this.getClient();
    try {
      return historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory());
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  async ping(): Promise<void> {
    const client = await this.getClient();
    await client.workflowService.getSystemInfo({});
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.close();
  }
}
