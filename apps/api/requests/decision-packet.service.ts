import { Injectable } from '@nestjs/common';
import { sinceLastDecided, type SinceLastDecided } from '@libs/domain/amendment';
import { flagsInWords } from '@libs/domain/labels';
import type { Person } from '@libs/domain/person';
import type { Party } from '@libs/domain/vocabulary';
import {
  ConflictCheck,
  DirectoryRepository,
  RequestRepository,
  type ReadScope,
  type StoredRequest,
} from '@libs/persistence';
import { RequestsService } from './requests.service';

/** One earlier request of the same person, as a decision packet lists it: what it was and how it ended. */
export interface EarlierRequest {
  id: string;
  reference: string | null;
  type: string;
  destinationCountry: string;
  departureDate: string;
  returnDate: string | null;
  createdAt: string;
  /** Its status now: the outcome once it finished. */
  status: string;
}

/** What a decision packet adds to the request view for one reader: the person's record, and what changed for them. */
export interface PacketExtras {
  earlierRequests: EarlierRequest[];
  /** For each party the reader decides for that decided in an earlier round: that decision, and what changed since. */
  sinceLastDecided: SinceLastDecided[];
  /** The requester's flags in the directory now (classified access, confidentiality period), in words; null when not shown. */
  requesterFlags?: string | null;
}

/** At most this many earlier requests are listed, the most recent first. */
const EARLIER_LIMIT = 20;

/**
 * The parts of the decision packet read beyond the request itself, in one place for every page that
 * shows a packet (the request page and inbox through GET /api/requests/:id/packet, the email-link page):
 * the requester's earlier requests the reader may see, and what changed since the reader's party last decided.
 */
@Injectable()
export class DecisionPacketService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly service: RequestsService,
    private readonly conflicts: ConflictCheck,
    private readonly directory: DirectoryRepository,
  ) {}

  /** The packet's extras for a signed-in reader: their whole read scope, and the parties they decide for here. */
  async forPerson(person: Person, stored: StoredRequest): Promise<PacketExtras> {
    const seesAll = person.roles.includes('auditor') || person.roles.includes('admin');
    const scope = seesAll ? undefined : { email: person.email, ...(await this.service.readScope(person)) };
    const asked = new Set(stored.approvals.map((a) => a.party));
    const assigned = await this.conflicts.assignedParties(stored.request.id, person.email);
    const parties = [...new Set([...(await this.service.partiesOf(person)), ...assigned])].filter((p) => asked.has(p));
    const mine = stored.request.requesterEmail.toLowerCase() === person.email.toLowerCase();
    return {
      earlierRequests: mine ? [] : await this.earlier(stored, scope),
      sinceLastDecided: mine ? [] : await this.sinceLastDecided(stored, parties),
      requesterFlags: mine ? null : await this.flagsOf(stored),
    };
  }

  /**
   * The packet's extras behind an approval link, read without sign-in: only what the link's recipient
   * sees as a member of the link's party (the requests that asked that party), and that party's last decision.
   */
  async forLink(recipient: Pick<Person, 'email'>, party: Party, stored: StoredRequest): Promise<PacketExtras> {
    const scope = { email: recipient.email, own: [party], delegated: [] };
    return {
      earlierRequests: await this.earlier(stored, scope),
      sinceLastDecided: await this.sinceLastDecided(stored, [party]),
      requesterFlags: await this.flagsOf(stored),
    };
  }

  /** The requester's directory flags now, in words (what the reviewer weighs beside the tier). */
  private async flagsOf(stored: StoredRequest): Promise<string | null> {
    const person = await this.directory.findPerson(stored.request.requesterEmail);
    return person ? flagsInWords(person.flags) : null;
  }

  /** The same person's requests submitted before this one that the scope may read, most recent first. */
  private async earlier(stored: StoredRequest, scope: ({ email: string } & ReadScope) | undefined) {
    const { request } = stored;
    const rows = await this.requests.list({
      requesterEmail: request.requesterEmail,
      visibleTo: scope,
      limit: EARLIER_LIMIT,
      cursor: { createdAt: request.createdAt, id: request.id },
    });
    return rows.map(({ request: r }) => ({
      id: r.id,
      reference: r.reference ?? null,
      type: r.type,
      destinationCountry: r.destinationCountry,
      departureDate: r.departureDate,
      returnDate: r.returnDate ?? null,
      createdAt: r.createdAt,
      status: r.status,
    }));
  }

  /** For each party, its last decision in an earlier round and what the amendments since changed. */
  private async sinceLastDecided(stored: StoredRequest, parties: Party[]): Promise<SinceLastDecided[]> {
    if (stored.request.round <= 1 || parties.length === 0) return [];
    const { decisions, amendments } = await this.requests.decisionHistoryFor(stored.request.id);
    return parties.flatMap((party) => sinceLastDecided(party, stored.request.round, decisions, amendments) ?? []);
  }
}
