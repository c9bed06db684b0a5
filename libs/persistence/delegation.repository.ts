import { LessThanOrEqual, MoreThanOrEqual, type DataSource } from 'typeorm';
import { DelegationEntity } from './entities';

export interface Delegation {
  delegatorEmail: string;
  delegateEmail: string;
  startsOn: string;
  endsOn: string;
}

const toDelegation = (row: DelegationEntity): Delegation => ({
  delegatorEmail: row.delegatorEmail,
  delegateEmail: row.delegateEmail,
  startsOn: row.startsOn,
  endsOn: row.endsOn,
});

/** Delegations while approvers are away. `on` is a calendar date (YYYY-MM-DD), inclusive. */
export class DelegationRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ofDelegator(delegatorEmail: string): Promise<Delegation | null> {
    const row = await this.dataSource.getRepository(DelegationEntity).findOneBy({ delegatorEmail });
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

  async save(delegation: Delegation): Promise<void> {
    await this.dataSource.getRepository(DelegationEntity).save({ ...delegation, createdAt: new Date().toISOString() });
  }

  async remove(delegatorEmail: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(DelegationEntity).delete({ delegatorEmail });
    return (result.affected ?? 0) > 0;
  }
}
