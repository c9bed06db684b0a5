import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RouteChange, SupersededApproval } from '../../domain/amendment';
import type { AuthorizationState, Determination } from '../../domain/authorizations';
import type { MaterialDocument } from '../../domain/material-documents';
import type { RoutePlan } from '../../domain/policy';
import type { Counterparty } from '../../domain/request';
import type { TripManifest } from '../../domain/manifest';

/**
 * The projection of one request, written from the workflow's states only (`RequestProjectionWriter`:
 * `recordSubmission`, then `projectState`): by the worker's projection activities, and by the API for
 * a decision the workflow answered before writing it (`DecideOutcome.unprojected`). Read through `RequestRepository`.
 */
@Entity({ name: 'requests' })
@Index('idx_requests_created', ['createdAt', 'id'])
@Index('idx_requests_requester', ['requesterEmail'])
@Index('idx_requests_status_created', ['status', 'createdAt', 'id'])
@Index('idx_requests_type_created', ['type', 'createdAt', 'id'])
@Index('idx_requests_requester_created', ['requesterEmail', 'createdAt', 'id'])
@Index('idx_requests_destination_created', ['destinationCountry', 'createdAt', 'id'])
@Index('idx_requests_deal_name', ['dealName', 'type'])
@Index('uq_requests_reference', ['reference'], { unique: true })
@Index('uq_requests_idempotency', ['requesterEmail', 'idempotencyKey'], { unique: true })
export class RequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /**
   * The human reference (`CLR-2027-000123`), sequential per year of submission, given once by
   * `recordSubmission` (see request-reference.ts). Null only in a row written without the writer.
   */
  @Column({ type: 'varchar', length: 20, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  @Column({ type: 'varchar', length: 30 })
  status!: string;

  @Column({ name: 'requester_email', type: 'varchar', length: 254 })
  requesterEmail!: string;

  @Column({ name: 'requester_tier', type: 'varchar', length: 20 })
  requesterTier!: string;

  @Column({ name: 'destination_country', type: 'varchar', length: 2 })
  destinationCountry!: string;

  @Column({ name: 'departure_date', type: 'varchar', length: 10 })
  departureDate!: string;

  /** Null for a permanent move: a departure abroad without a return (migration 1763900009100). */
  @Column({ name: 'return_date', type: 'varchar', length: 10, nullable: true })
  returnDate!: string | null;

  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'simple-json' })
  counterparties!: Counterparty[];

  @Column({ name: 'technology_areas', type: 'simple-json' })
  technologyAreas!: string[];

  @Column({ name: 'data_categories', type: 'simple-json' })
  dataCategories!: string[];

  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;

  /** The trip manifest (devices, materials), or null when none was declared. Not personal: stored plain. */
  @Column({ type: 'simple-json', nullable: true })
  manifest!: TripManifest | null;

  /** The deal of an M&A participation, trimmed and lower case (from `details.dealName`), for the conflict check. */
  @Column({ name: 'deal_name', type: 'varchar', length: 200, nullable: true })
  dealName!: string | null;

  @Column({ name: 'policy_version', type: 'integer' })
  policyVersion!: number;

  @Column({ type: 'simple-json' })
  plan!: RoutePlan;

  @Column({ name: 'screening_hits', type: 'simple-json' })
  screeningHits!: unknown[];

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  /** SHA-256 of the submitted body, to tell a retry from a different request under the same key. */
  @Column({ name: 'body_hash', type: 'varchar', length: 64 })
  bodyHash!: string;

  @Column({ name: 'current_stage', type: 'integer' })
  currentStage!: number;

  @Column({ type: 'integer' })
  round!: number;

  /** The workflow's state sequence number last projected; older writes are ignored. */
  @Column({ type: 'integer' })
  seq!: number;

  /** Approvals given on content since amended: on the record, never counted. */
  @Column({ name: 'superseded_approvals', type: 'simple-json', default: '[]' })
  supersededApprovals!: SupersededApproval[];

  /** How amendments changed the route, one entry per amendment that did. */
  @Column({ name: 'route_changes', type: 'simple-json', default: '[]' })
  routeChanges!: RouteChange[];

  /** External authorizations the pinned policy requires, with their progress (empty when none applies). */
  @Column({ type: 'simple-json', default: '[]' })
  authorizations!: AuthorizationState[];

  /** The files of the manifest's materials, by SHA-256 (the files sit sealed in `authorization_documents`). */
  @Column({ name: 'material_documents', type: 'simple-json', default: '[]' })
  materialDocuments!: MaterialDocument[];

  /** What the pinned policy's determinations said at submission. */
  @Column({ type: 'simple-json', default: '[]' })
  determinations!: Determination[];

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}
