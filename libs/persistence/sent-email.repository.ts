import type { DataSource } from 'typeorm';
import { SentEmailEntity } from './entities';

/** The outbox record that makes sending idempotent: claim → send → mark sent. */
export class SentEmailRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns the existing record for this key, or creates one in status `sending`. */
  async claim(record: Omit<SentEmailEntity, 'status' | 'sentAt'>): Promise<SentEmailEntity> {
    const repo = this.dataSource.getRepository(SentEmailEntity);
    const existing = await repo.findOneBy({ key: record.key });
    if (existing) return existing;
    try {
      await repo.insert({ ...record, status: 'sending', sentAt: null });
    } catch (error) {
      const raced = await repo.findOneBy({ key: record.key });
      if (raced) return raced;
      throw error;
    }
    return { ...record, status: 'sending', sentAt: null };
  }

  async markSent(key: string, sentAt: string): Promise<void> {
    await this.dataSource.getRepository(SentEmailEntity).update({ key }, { status: 'sent', sentAt });
  }

  async forRequest(requestId: string): Promise<SentEmailEntity[]> {
    return this.dataSource.getRepository(SentEmailEntity).find({ where: { requestId }, order: { createdAt: 'ASC' } });
  }
}
