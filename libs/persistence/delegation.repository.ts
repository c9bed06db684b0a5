import { LessThanOrEqual, MoreThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import { DelegationEntity } from './entities';

export interface Delegation {
  delegatorEmail: string;
  delegateEmail: string;
  startsOn: string;
  endsOn: string;
  /** When it was set (ISO instant): a delegation never opens what was decided before it existed. */
  setAt: string;
}

const toDelegation = (row: DelegationEntity): Delegation => ({
  delegatorEmail: row.delegatorEmail,
  delegateEmail: row.delegateEmail,
  startsOn: row.startsOn,
  endsOn: row.endsOn,
  setAt: row.createdAt,
});

/** Delegations while approvers are away. `on` is a calendar date (YYYY-MM-DD), inclusive. */
export class DelegationRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ofDelegator(
    delegatorEmail: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Delegation | null> {
    const row = await manager.getRepository(DelegationEntity).findOneBy({ delegatorEmail });
    return row ? toDelegation(row) : null;
  }

  /** The delegation in force for an absent approver on a date, if any. */
  async activeFor(delegatorEmail: string, on: string): Promise<Delegation | null> {
    const row = await this.dataSource
      .getRepository(DelegationEntity)
      .findOneBy({ delegatorEmail, startsOn: LessThanOrEqual(on), endsOn: MoreThanOrEqual(on) });
    return row ? toDelegation(row) : null;
  }

  /** Everyone a delegate currently stands in for. */
  async activeDelegators(delegateEmail: string, on: string): Promise<Delegation[]> {
    const rows = await this.dataSource
      .getRepository(DelegationEntity)
      .findBy({ delegateEmail, startsOn: LessThanOrEqual(on), endsOn: MoreThanOrEqual(on) });
    return rows.map(toDelegation);
  }

  /** Delegations to this person that overlap the given period (a delegate may not delegate onward). */
  async toDelegateOverlapping(delegateEmail: string, startsOn: string, endsOn: string): Promise<Delegation[]> {
    const rows = await this.dataSource
      .getRepository(DelegationEntity)
      .findBy({ delegateEmail, startsOn: LessThanOrEqual(endsOn), endsOn: MoreThanOrEqual(startsOn) });
    return rows.map(toDelegation);
  }

  /** Sets (or replaces) a delegation, inside the caller's transaction when `manager` is given. */
  async save(delegation: Delegation, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const { setAt, ...rest } = delegation;
    await manager.getRepository(DelegationEntity).save({ ...rest, createdAt: setAt });
  }

  async remove(delegatorEmail: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const result = await manager.getRepository(DelegationEntity).delete({ delegatorEmail });
    return (result.affected ?? 0) > 0;
  }
}
