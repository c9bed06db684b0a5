import Handlebars from 'handlebars';
import type { AmendmentNotice, NotificationKind, RequestSummary } from '../contracts';
import {
  countryName,
  datesInWords,
  label,
  packetRows,
  reasonInWords,
  REQUEST_TYPE_LABELS,
  screeningHitInWords,
  type PacketSource,
} from '../domain/labels';
import { changeLineInWords, routeChangeLineInWords, sinceInWords, type SinceLastDecided } from '../domain/amendment';
import type { ScreeningHit } from '../domain/screening';
import type { RequestStatus } from '../domain/vocabulary';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function typeName(type: RequestSummary['type']): string {
  return REQUEST_TYPE_LABELS[type];
}

Handlebars.registerHelper('join', (list: unknown) => (Array.isArray(list) ? list.join(', ') : ''));

const layout = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{subject}}</title></head>
<body style="font-family: system-ui, sans-serif; color: #1a1a1a; max-width: 36rem; margin: 0 auto; padding: 1rem;">
{{{body}}}
<p style="color:#555; font-size: 0.85rem;">Clearance keeps a durable record of every decision.</p>
</body></html>`);

const summaryTable = `<table style="border-collapse: collapse;">
<tr><th align="left">Reference</th><td>{{reference}}</td></tr>
<tr><th align="left">Requester</th><td>{{s.requesterName}} &lt;{{s.requesterEmail}}&gt;</td></tr>
<tr><th align="left">Type</th><td>{{typeName}}</td></tr>
<tr><th align="left">Destination</th><td>{{destination}}</td></tr>
<tr><th align="left">Dates</th><td>{{dates}}</td></tr>
<tr><th align="left">Purpose</th><td>{{s.purpose}}</td></tr>
</table>`;

const HEADLINES: Record<NotificationKind, string> = {
  approval: 'Your decision is needed',
  reminder: 'Reminder: your decision is still needed',
  escalation: 'Escalation: a decision is overdue',
};

const approvalHtml = Handlebars.compile(`<h1 style="font-size: 1.25rem;">{{headline}} ({{party}})</h1>
{{#if escalation}}<p><strong>{{party}} has not decided in time.</strong> You receive this as a lead of {{party}}; you may decide for the party.</p>{{/if}}
{{#if onBehalfOf}}<p>You receive this as the delegate of <strong>{{onBehalfOf}}</strong>, who is away; your decision is recorded on their behalf.</p>{{/if}}
{{#if since}}<h2 style="font-size:1rem;">What changed since you last decided</h2>
<p>Amended by {{amendment.byName}}; you are asked again on the request as it now is.</p>
<p>{{since.decided}}{{#if since.comment}}: "{{since.comment}}"{{/if}}.</p>
{{#if since.conditions.length}}<p>Your earlier conditions: {{join since.conditions}}</p>{{/if}}
{{#if since.changes.length}}<ul>{{#each since.changes}}<li>{{this}}</li>{{/each}}</ul>{{else}}<p>Nothing you decided on has changed since.</p>{{/if}}
{{#if amendment.routeChange}}<p>{{amendment.routeChange}}</p>{{/if}}
{{else if amendment}}<h2 style="font-size:1rem;">What changed</h2>
<p>Amended by {{amendment.byName}}; you are asked again on the request as it now is.</p>
<ul>{{#each amendment.changes}}<li>{{this}}</li>{{/each}}</ul>
{{#if amendment.routeChange}}<p>{{amendment.routeChange}}</p>{{/if}}
{{#if amendment.earlier}}<p>Earlier, {{party}} {{earlierWords}}{{#if amendment.earlier.comment}}: "{{amendment.earlier.comment}}"{{/if}}</p>
{{#if amendment.earlier.conditions.length}}<ul>{{#each amendment.earlier.conditions}}<li>condition: {{this}}</li>{{/each}}</ul>{{/if}}{{/if}}
{{/if}}
{{#if amendment.reply}}<p>The requester's reply: “{{amendment.reply}}”</p>{{/if}}
<p>{{s.requesterName}} asks for clearance. You are asked as a member of <strong>{{party}}</strong> because:</p>
<ul>{{#each reasons}}<li>{{this}}</li>{{/each}}</ul>
{{#if rows}}<table style="border-collapse: collapse;">
<tr><th align="left">Reference</th><td>{{reference}}</td></tr>
<tr><th align="left">Requester</th><td>{{s.requesterName}} &lt;{{s.requesterEmail}}&gt;</td></tr>
{{#each rows}}<tr><th align="left">{{label}}</th><td>{{value}}</td></tr>
{{/each}}</table>{{else}}${summaryTable}{{/if}}
{{#if hitWords.length}}<h2 style="font-size:1rem;color:#b3261e;">Restricted-party screening hits</h2>
<ul>{{#each hitWords}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
<p><a href="{{link}}" style="display:inline-block;padding:0.6rem 1rem;background:#0b57d0;color:#fff;text-decoration:none;border-radius:4px;">Review and decide</a></p>
<p style="font-size:0.85rem;">The link is yours alone, works once and expires on {{expiresAt}}.</p>`);

const approvalText = Handlebars.compile(
  `{{headline}} ({{party}})
{{#if escalation}}
{{party}} has not decided in time. You receive this as a lead of {{party}}; you may decide for the party.
{{/if}}{{#if onBehalfOf}}
You receive this as the delegate of {{onBehalfOf}}, who is away; your decision is recorded on their behalf.
{{/if}}{{#if since}}
What changed since you last decided
Amended by {{amendment.byName}}; you are asked again on the request as it now is.
{{since.decided}}{{#if since.comment}}: "{{since.comment}}"{{/if}}.
{{#if since.conditions.length}}Your earlier conditions: {{join since.conditions}}
{{/if}}{{#each since.changes}}- {{this}}
{{else}}Nothing you decided on has changed since.
{{/each}}{{#if amendment.routeChange}}{{amendment.routeChange}}
{{/if}}{{else if amendment}}
What changed
Amended by {{amendment.byName}}; you are asked again on the request as it now is.
{{#each amendment.changes}}- {{this}}
{{/each}}{{#if amendment.routeChange}}{{amendment.routeChange}}
{{/if}}{{#if amendment.earlier}}Earlier, {{party}} {{earlierWords}}{{#if amendment.earlier.comment}}: "{{amendment.earlier.comment}}"{{/if}}
{{#each amendment.earlier.conditions}}- condition: {{this}}
{{/each}}{{/if}}{{/if}}{{#if amendment.reply}}
The requester's reply: “{{amendment.reply}}”
{{/if}}
{{s.requesterName}} <{{s.requesterEmail}}> asks for clearance.
Reference: {{reference}}
{{#if rows}}{{#each rows}}{{label}}: {{value}}
{{/each}}{{else}}Type: {{typeName}}
Destination: {{destination}}
Dates: {{dates}}
Purpose: {{s.purpose}}
{{/if}}
You are asked as a member of {{party}} because:
{{#each reasons}}- {{this}}
{{/each}}{{#if hitWords.length}}
Restricted-party screening hits:
{{#each hitWords}}- {{this}}
{{/each}}{{/if}}
Review and decide: {{link}}

The link is yours alone, works once and expires on {{expiresAt}}.
`,
  { noEscape: true },
);

/** How an approver's earlier decision reads in the email that asks again after an amendment. */
const EARLIER_WORDS: Record<string, string> = {
  approved: 'approved',
  superseded: 'approved',
  pending: 'had partly approved',
  rejected: 'rejected',
  changes_requested: 'asked for changes',
};

export function renderApprovalMail(args: {
  kind: NotificationKind;
  summary: RequestSummary;
  /** The request's human reference (`CLR-2027-000123`), in the subject and the body. */
  reference: string;
  party: string;
  reasons: string[];
  hits: ScreeningHit[];
  link: string;
  expiresAt: string;
  onBehalfOf?: string;
  amendment?: AmendmentNotice;
  /** The request as stored: when given, the email carries every detail the requester gave, in words. */
  request?: PacketSource;
  /** For a party asked again after an amendment: its last decision, and every field changed since (from the records). */
  since?: SinceLastDecided | null;
}): RenderedMail {
  const headline = HEADLINES[args.kind];
  const ctx = {
    ...args,
    party: label(args.party),
    reasons: args.reasons.map(reasonInWords),
    rows: args.request ? packetRows(args.request) : null,
    hitWords: args.hits.map(screeningHitInWords),
    destination: countryName(args.summary.destinationCountry),
    headline,
    earlierWords: EARLIER_WORDS[args.amendment?.earlier?.status ?? ''] ?? 'decided',
    amendment: args.amendment && {
      ...args.amendment,
      changes: args.amendment.changes.map(changeLineInWords),
      routeChange: args.amendment.routeChange && routeChangeLineInWords(args.amendment.routeChange),
    },
    escalation: args.kind === 'escalation',
    since: args.since && args.amendment ? sinceInWords([args.since])[0] : null,
    s: args.summary,
    dates: datesInWords(args.summary.departureDate, args.summary.returnDate),
    typeName: typeName(args.summary.type),
  };
  const what = `${typeName(args.summary.type)} to ${countryName(args.summary.destinationCountry)} by ${args.summary.requesterName}`;
  const prefix = args.kind === 'approval' ? '' : args.kind === 'reminder' ? 'Reminder: ' : 'Escalation: ';
  const subject = `[Clearance] ${prefix}${what} (${args.reference}): ${label(args.party)} decision needed`;
  return { subject, text: approvalText(ctx), html: layout({ subject, body: approvalHtml(ctx) }) };
}

const OUTCOME_WORDS: Partial<Record<RequestStatus, string>> = {
  awaiting_authorization: 'approved by every party, and now waits for an external authorization',
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'sent back to you for changes',
  withdrawn: 'withdrawn',
  expired: 'expired',
};

const outcomeHtml = Handlebars.compile(`<h1 style="font-size: 1.25rem;">Your request was {{words}}</h1>
${summaryTable}
{{#if notes.length}}<h2 style="font-size:1rem;">From the approvers</h2><ul>{{#each notes}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
<p>Request reference: {{reference}}</p>
{{#if link}}<p><a href="{{link}}">{{linkWords}}</a></p>{{/if}}`);

const outcomeText = Handlebars.compile(
  `Your request was {{words}}.

Type: {{typeName}}
Destination: {{destination}}
Dates: {{dates}}
{{#if notes.length}}
From the approvers:
{{#each notes}}- {{this}}
{{/each}}{{/if}}
Request reference: {{reference}}
{{#if link}}
{{linkWords}}: {{link}}
{{/if}}`,
  { noEscape: true },
);

export function renderOutcomeMail(args: {
  summary: RequestSummary;
  status: RequestStatus;
  notes: string[];
  /** The request's human reference (`CLR-2027-000123`). */
  reference: string;
  /** The request's page (`{PUBLIC_URL}/app/requests/{id}`). */
  link?: string;
}): RenderedMail {
  const words = OUTCOME_WORDS[args.status] ?? label(args.status).toLowerCase();
  const ctx = {
    ...args,
    words,
    linkWords: args.status === 'changes_requested' ? 'See what was asked and amend your request' : 'Open the request',
    s: args.summary,
    dates: datesInWords(args.summary.departureDate, args.summary.returnDate),
    typeName: typeName(args.summary.type),
    destination: countryName(args.summary.destinationCountry),
  };
  const subject = `[Clearance] Your ${typeName(args.summary.type).toLowerCase()} request ${args.reference} was ${words}`;
  return { subject, text: outcomeText(ctx), html: layout({ subject, body: outcomeHtml(ctx) }) };
}

/** A short notice: a headline, a few lines, no decision link. HTML and text from the same lines. */
export function renderNotice(subject: string, headline: string, lines: string[]): RenderedMail {
  const body = Handlebars.compile(
    `<h1 style="font-size: 1.25rem;">{{headline}}</h1>{{#each lines}}<p>{{this}}</p>{{/each}}`,
  )({
    headline,
    lines,
  });
  return { subject, text: `${headline}\n\n${lines.join('\n\n')}\n`, html: layout({ subject, body }) };
}

/** How a passport number appears anywhere outside the vault: the last three characters at most. */
export function maskedPassport(last3: string): string {
  return `•••••${last3}`;
}
