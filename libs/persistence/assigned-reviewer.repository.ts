import type { DataSource, EntityManager } from 'typeorm';
import type { Party } from '../domain/vocabulary';
import { AssignedReviewerEntity } from './entities';

export interface AssignedReviewer {
  requestId: string;
  party: Party;
  email: string;
  assignedBy: string;
  assignedAt: string;
}

const toReviewer = (row: AssignedReviewerEntity): AssignedReviewer => ({
  requestId: row.requestId,
  party: row.party as Party,
  email: row.reviewerEmail,
  assignedBy: row.assignedBy,
  assignedAt: row.assignedAt,
});

/** Reviewers an admin assigned to a party of one request (emails stored lower-case). */
export class AssignedReviewerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an assignment (inside the caller's transaction when `manager` is given, so it commits
   * with its audit row); assigning the same person again keeps the first record.
   */
  async assign(
    reviewer: AssignedReviewer,
    manager?: EntityManager,
  ): Promise<{ reviewer: AssignedReviewer; created: boolean }> {
    const repo = (manager ?? this.dataSource.manager).getRepository(AssignedReviewerEntity);
    const key = { requestId: reviewer.requestId, party: reviewer.party, reviewerEmail: reviewer.email.toLowerCase() };
    const existing = await repo.findOneBy(key);
    if (existing) return { reviewer: toReviewer(existing), created: false };
    await repo.insert({ ...key, assignedBy: reviewer.assignedBy, assignedAt: reviewer.assignedAt });
    return { reviewer: toReviewer((await repo.findOneBy(key))!), created: true };
  }

  async forParty(requestId: string, party: Party): Promise<AssignedReviewer[]> {
    const rows = await this.dataSource
      .getRepository(AssignedReviewerEntity)
      .find({ where: { requestId, party }, order: { assignedAt: 'ASC' } });
    return rows.map(toReviewer);
  }

  /** The parties this person was assigned to review on this request. */
  async partiesOn(requestId: string, email: string): Promise<Party[]> {
    const rows = await this.dataSource
      .getRepository(AssignedReviewerEntity)
      .findBy({ requestId, reviewerEmail: email.toLowerCase() });
    return rows.map((r) => r.party as Party);
  }
}
