import { DomainError } from './domain-error';

/**
 * The lists' keyset cursor: the (createdAt, id) of the last item of a page, opaque to clients.
 * Lists ordered newest first (created_at DESC, id DESC) continue after it.
 */
export interface CreatedCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(last: CreatedCursor): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CreatedCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the validation error
  }
  throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out'] }]);
}

/** `limit` of a list query: a whole number from 1 to 100, `fallback` when absent. */
export function parseLimit(value: unknown, fallback: number): number {
  const limit = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw DomainError.validation([{ field: 'limit', messages: ['limit must be a whole number from 1 to 100'] }]);
  }
  return limit;
}
