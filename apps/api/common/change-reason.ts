import { DomainError } from './domain-error';

/** The longest reason kept with a change (a policy version, a directory change). */
export const CHANGE_REASON_MAX = 2000;

/**
 * The reason of an admin's change from the `X-Change-Reason` header (the body keeps its contract
 * shape): UTF-8, percent-encoded where it is not plain ASCII (`encodeURIComponent`); blank means none.
 */
export function changeReasonOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  let reason: string;
  try {
    reason = decodeURIComponent(header).trim();
  } catch {
    throw DomainError.validation([
      { field: 'X-Change-Reason', messages: ['X-Change-Reason must be UTF-8 text, percent-encoded'] },
    ]);
  }
  if (reason.length > CHANGE_REASON_MAX) {
    throw DomainError.validation([
      { field: 'X-Change-Reason', messages: [`X-Change-Reason must be at most ${CHANGE_REASON_MAX} characters`] },
    ]);
  }
  return reason || null;
}
