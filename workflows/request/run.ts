import { CancellationScope, condition, patched, upsertSearchAttributes } from '@temporalio/workflow';
import {
  SEARCH_ATTRIBUTES,
  type AmendmentNotice,
  summaryOf,
  type ProjectStateInput,
  type RequestSummary,
  type RequestWorkflowInput,
} from '@libs/contracts';
import type { RequestState } from '@libs/domain/approval-state';
import type { RoutePlan } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import type { Party } from '@libs/domain/vocabulary';
import { activities } from '../activity-proxies';
import { refuse } from '../refuse';

const { projectState, projectStates, notifyRequester } = activities;

/**
 * What the parts of one request workflow share: its input, the request as last amended, the plan
 * fixed at submission and the state. Every state change goes through `commit`.
 */
export class RequestRun {
  /** The request as submitted, then as last amended. */
  request: RequestInput;
  /** What emails show of the request. */
  summary: RequestSummary;
  /** The route planned from the pinned policy at submission, and again after an amendment (both in the history). */
  plan?: RoutePlan;
  state?: RequestState;
  /** The `seq` of the state the requester was last told about, so no outcome is told twice. */
  lastRequesterNotice = 0;
  /**
   * Requests started since `cheaper-cycle` submit in one step, ask a stage's parties in one step,
   * tell the search index only of a new status, and write every state committed while the previous
   * write ran in one step. Decided once, at the start, so every part asks this flag, not `patched`.
   */
  readonly cheaper: boolean;
  /**
   * Requests started since `decisions-written-by-the-api` answer a decision that leaves its stage open
   * before the database holds it: the API writes it from the answer, and the workflow's next write
   * (the stage's last decision, an amendment, a reminder, the settlement) carries it too.
   */
  readonly lean: boolean;
  /** A timer watches the expiry of short grants (`authorization-expiry`, ./authorities.ts). */
  watchingExpiry = false;
  /** The round that the last amendment opened, and what each party asked in it reads about the amendment. */
  private amendment?: { round: number; notice: (party: Party) => AmendmentNotice };
  /** Committed states not written yet, oldest first, and the last `seq` the projection holds (`cheaper`). */
  private unprojected: ProjectStateInput[] = [];
  private committedSeq = 0;
  private projectedSeq = 0;
  private projecting = false;

  constructor(readonly input: RequestWorkflowInput) {
    this.request = input.request;
    this.summary = summaryOf(input.requester, input.request);
    this.cheaper = patched('cheaper-cycle');
    this.lean = this.cheaper && patched('decisions-written-by-the-api');
  }

  get requestId(): string {
    return this.input.requestId;
  }

  /** The state; refuses (as an Update validator would) while the submission is still being recorded. */
  current(): RequestState {
    if (!this.state) refuse('REQUEST_NOT_PENDING', 'the request is still being submitted');
    return this.state;
  }

  /** The route planned at submission. */
  route(): RoutePlan {
    if (!this.plan) throw new Error('the route is planned at submission, before any stage runs');
    return this.plan;
  }

  /**
   * Whether this request runs with the change behind an earlier patch. A request started since
   * `cheaper-cycle` has every earlier one: asking `patched` again would only add a marker and a
   * search-attribute upsert to its history for each, so it does not ask.
   */
  since(patch: 'obligations-after-approval' | 'archive-on-close' | 'replan-on-amend' | 'hand-out-step'): boolean {
    return this.cheaper || patched(patch);
  }

  /** The submission is recorded: from here on the request has a plan and a state. */
  submitted(plan: RoutePlan, initial: RequestState): void {
    this.plan = plan;
    this.state = initial;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: initial.status }]);
    this.lastRequesterNotice = initial.seq;
  }

  /** The amended request routes differently: the stages run from this plan on. */
  replanned(plan: RoutePlan): void {
    this.plan = plan;
  }

  askedAgainAfterAmendment(round: number, notice: (party: Party) => AmendmentNotice): void {
    this.amendment = { round, notice };
  }

  /** What a party asked in this round reads about the amendment that opened it, if one did. */
  amendmentNotice(party: Party, round: number): AmendmentNotice | undefined {
    return this.amendment?.round === round ? this.amendment.notice(party) : undefined;
  }

  amended(request: RequestInput): void {
    this.request = request;
    this.summary = summaryOf(this.input.requester, request);
  }

  /** Every state change is projected before the Update that caused it answers. */
  async commit(next: RequestState, extra: Omit<ProjectStateInput, 'state'> = {}): Promise<void> {
    const newStatus = this.state?.status !== next.status;
    this.state = next;
    if (!this.cheaper) {
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: next.status }]);
      await projectState({ state: next, ...extra });
      return;
    }
    if (newStatus) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: next.status }]);
    this.commitUnwritten(next, extra);
    await this.projected(next.seq);
  }

  /**
   * A state committed without waiting for its write (`lean`): it changes neither status nor stage, so
   * nothing else waits on it; the caller writes it, and it rides with the next write here.
   */
  commitUnwritten(next: RequestState, extra: Omit<ProjectStateInput, 'state'> = {}): void {
    this.state = next;
    this.unprojected.push({ state: next, ...extra });
    this.committedSeq = Math.max(this.committedSeq, next.seq);
  }

  /** Waits until every committed state is written (before the request settles). */
  async allProjected(): Promise<void> {
    await this.projected(this.committedSeq);
  }

  /**
   * Until the projection holds `seq`: one write at a time, each of every state committed while the
   * previous one ran, in order (several decisions under load, one step). The first committer that
   * finds no write running starts the next; the write itself is not cancelled with that committer's
   * scope (a deadline watcher that expired the request), so no committed state is left unwritten.
   */
  private async projected(seq: number): Promise<void> {
    while (this.projectedSeq < seq) {
      if (this.projecting) {
        await condition(() => this.projectedSeq >= seq || !this.projecting);
        continue;
      }
      const batch = this.unprojected.splice(0);
      if (batch.length === 0) return; // nothing committed is left unwritten
      this.projecting = true;
      try {
        await CancellationScope.nonCancellable(() => projectStates({ states: batch }));
        this.projectedSeq = Math.max(this.projectedSeq, batch.at(-1)!.state.seq);
      } catch (error) {
        this.unprojected.unshift(...batch);
        throw error;
      } finally {
        this.projecting = false;
      }
    }
  }

  /**
   * Emails the requester where their request stands. Not `async`: the caller awaits the activity
   * itself, so no extra microtask turn moves the commands that follow (the histories record their order).
   * Since `cheaper-cycle`, once the projection holds what the email tells.
   */
  tellRequester(state: RequestState): Promise<unknown> {
    this.lastRequesterNotice = state.seq;
    const tell = () => notifyRequester({ requestId: this.requestId, seq: state.seq, state, summary: this.summary });
    return this.cheaper ? this.projected(state.seq).then(tell) : tell();
  }
}
