import { describeRouteChangeInWords } from '@libs/domain/amendment';
export { sinceInWords, type SinceInWords } from '@libs/domain/amendment';
import {
  approvalStatusShown,
  countryName,
  datesInWords,
  label,
  packetRows,
  reasonInWords,
  screeningHitInWords,
  type PacketRow,
} from '@libs/domain/labels';
import type { ScreeningHit } from '@libs/domain/screening';
import type { EarlierRequest } from './decision-packet.service';
import type { RequestView } from './request-view';

/** One party of the request as the packet shows it: its status, why it was asked, who decided, with what. */
export interface PacketParty {
  party: string;
  stage: number;
  status: string;
  reasons: string[];
  decidedBy: string | null;
  comment: string | null;
  conditions: string[];
  /** The party this packet is opened to decide for. */
  deciding: boolean;
}

/** Everything a decision is made on, in words: the request's details, the screening, the other parties, what changed. */
export interface DecisionPacket {
  rows: PacketRow[];
  requester: string;
  /** Screening hits in words: filled only for a view that carries the entries (reviewers), else only "needs review". */
  hits: string[];
  parties: PacketParty[];
  /** How the route changed after each amendment, in words. */
  changes: string[];
}

/**
 * The decision packet of a request view. A view built for the requester has no screening entries:
 * its hits then say only which counterparty needs restricted-party review.
 */
export function decisionPacket(view: RequestView, deciding?: string): DecisionPacket {
  const hits = view.screeningHits.map((h) =>
    h.entryName
      ? screeningHitInWords(h as ScreeningHit)
      : `${h.counterparty ?? 'A counterparty'} needs restricted-party review`,
  );
  const parties = view.stages.flatMap((s) =>
    s.approvals
      .filter((a) => a.status !== 'superseded')
      .map((a) => ({
        party: label(a.party),
        stage: s.index,
        status: label(approvalStatusShown(view.status, a.status)),
        reasons: a.reasons.map(reasonInWords),
        decidedBy: a.decidedBy ?? null,
        comment: a.comment ?? null,
        conditions: a.conditions ?? [],
        deciding: a.party === deciding,
      })),
  );
  return {
    rows: packetRows(view),
    requester: `${view.requester.email}, tier ${label(view.requester.tier)}`,
    hits,
    parties,
    changes: view.routeChanges.map((c) => `Round ${c.round}: ${describeRouteChangeInWords(c)}`),
  };
}

/** One earlier request in words: reference, what it was, its dates, when it was submitted, how it ended. */
export interface EarlierInWords {
  id: string;
  reference: string;
  title: string;
  dates: string;
  submitted: string;
  status: string;
  outcome: string;
}

export function earlierInWords(items: EarlierRequest[]): EarlierInWords[] {
  return items.map((r) => ({
    id: r.id,
    reference: r.reference ?? '',
    title: `${label(r.type)} to ${countryName(r.destinationCountry)}`,
    dates: datesInWords(r.departureDate, r.returnDate),
    submitted: r.createdAt.slice(0, 10),
    status: r.status,
    outcome: label(r.status),
  }));
}
