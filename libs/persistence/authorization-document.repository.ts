import type { DataSource } from 'typeorm';
import { AuthorizationDocumentEntity } from './entities';

/** What a sealed decision document is bound to (its AAD): opened under another request, kind or hash, it fails. */
export function authorizationDocumentAad(requestId: string, kind: string, sha256: string): string {
  return `authorization-document:${requestId}:${kind}:${sha256}`;
}

/** Decision documents of external authorizations, stored sealed (see AuthorizationDocumentEntity). */
export class AuthorizationDocumentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores the latest document of a request's authorization, replacing an earlier one. */
  async store(row: AuthorizationDocumentEntity): Promise<void> {
    await this.dataSource.getRepository(AuthorizationDocumentEntity).save(row);
  }

  async find(requestId: string, kind: string): Promise<AuthorizationDocumentEntity | null> {
    return this.dataSource.getRepository(AuthorizationDocumentEntity).findOneBy({ requestId, kind });
  }

  /** Removes a document whose hash the workflow refused to record (only if it is still that one). */
  async discard(requestId: string, kind: string, sha256: string): Promise<void> {
    await this.dataSource.getRepository(AuthorizationDocumentEntity).delete({ requestId, kind, sha256 });
  }
}
