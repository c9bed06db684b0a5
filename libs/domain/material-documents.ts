import type { RequestState } from './approval-state';
import type { TripManifest } from './manifest';
import type { Refusal } from './refusals';

/**
 * The file of a material on the trip manifest (slides to be shown), for data governance to review.
 * The file is stored sealed outside the history, like an authority's decision document; the
 * workflow's state keeps what identifies it: the material's index and title, and the file's SHA-256.
 */
export interface MaterialDocument {
  index: number;
  title: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
  uploadedBy: string;
  uploadedAt: string;
}

/** What the requester's upload records, as the workflow's Update carries it. */
export interface MaterialDocumentRecord {
  index: number;
  actorEmail: string;
  at: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
}

/** Where stored files of materials sit beside decision documents: `material-<index>`. */
export function materialDocumentKey(index: number): string {
  return `material-${index}`;
}

/** Request statuses in which a material's file may still be attached (the same as authorizations). */
const OPEN_FOR_MATERIALS = new Set(['pending', 'changes_requested', 'awaiting_authorization', 'approved']);

/** The refusal attaching a material's file would meet, or null. Used by the Update validator. */
export function materialDocumentRefusal(
  state: RequestState,
  manifest: TripManifest | null | undefined,
  input: MaterialDocumentRecord,
): Refusal | null {
  if (input.actorEmail.toLowerCase() !== state.requesterEmail.toLowerCase()) {
    return { code: 'NOT_REQUESTER', message: "only the requester attaches a material's file" };
  }
  if (!manifest?.materials[input.index]) {
    return { code: 'MATERIAL_NOT_DECLARED', message: `the manifest has no material ${input.index}` };
  }
  if (!OPEN_FOR_MATERIALS.has(state.status)) {
    return { code: 'REQUEST_NOT_PENDING', message: `the request is ${state.status}: no file is attached any more` };
  }
  return null;
}

/** Records the file of a material (a later upload replaces the earlier one's record). */
export function recordMaterialDocument(
  state: RequestState,
  manifest: TripManifest,
  input: MaterialDocumentRecord,
): RequestState {
  const document: MaterialDocument = {
    index: input.index,
    title: manifest.materials[input.index].title,
    sha256: input.sha256,
    contentType: input.contentType,
    sizeBytes: input.sizeBytes,
    uploadedBy: input.actorEmail.toLowerCase(),
    uploadedAt: input.at,
  };
  const others = (state.materialDocuments ?? []).filter((d) => d.index !== input.index);
  return {
    ...state,
    materialDocuments: [...others, document].sort((a, b) => a.index - b.index),
    seq: state.seq + 1,
  };
}

/** The recorded file of a material, if one was attached to it under its current title. */
export function documentOf(
  documents: readonly MaterialDocument[] | undefined,
  index: number,
  title: string,
): MaterialDocument | undefined {
  return (documents ?? []).find((d) => d.index === index && d.title === title);
}
