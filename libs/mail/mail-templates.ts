import Handlebars from 'handlebars';
import type { RequestSummary } from '../contracts';
import type { RequestStatus } from '../domain/vocabulary';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const TYPE_NAMES: Record<RequestSummary['type'], string> = {
  conference: 'Conference trip',
  overseas_assignment: 'Overseas assignment',
  ma_participation: 'Cross-border deal participation',
  passport_release: 'Passport release',
  departure_abroad: 'Departure to an employer abroad',
};

export function typeName(type: RequestSummary['type']): string {
  return TYPE_NAMES[type];
}

const layout = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{subject}}</title></head>
<body style="font-family: system-ui, sans-serif; color: #1a1a1a; max-width: 36rem; margin: 0 auto; padding: 1rem;">
{{{body}}}
<p style="color:#555; font-size: 0.85rem;">Clearance keeps a durable record of every decision.</p>
</body></html>`);

const summaryTable = `<table style="border-collapse: collapse;">
<tr><th align="left">Requester</th><td>{{s.requesterName}} &lt;{{s.requesterEmail}}&gt;</td></tr>
<tr><th align="left">Type</th><td>{{typeName}}</td></tr>
<tr><th align="left">Destination</th><td>{{s.destinationCountry}}</td></tr>
<tr><th align="left">Dates</th><td>{{s.departureDate}} to {{s.returnDate}}</td></tr>
<tr><th align="left">Purpose</th><td>{{s.purpose}}</td></tr>
</table>`;

const approvalHtml = Handlebars.compile(`<h1 style="font-size: 1.25rem;">Your decision is needed ({{party}})</h1>
<p>{{s.requesterName}} asks for clearance. You are asked as a member of <strong>{{party}}</strong> because:</p>
<ul>{{#each reasons}}<li>{{this}}</li>{{/each}}</ul>
${summaryTable}
<p><a href="{{link}}" style="display:inline-block;padding:0.6rem 1rem;background:#0b57d0;color:#fff;text-decoration:none;border-radius:4px;">Review and decide</a></p>
<p style="font-size:0.85rem;">The link is yours alone, works once and expires on {{expiresAt}}.</p>`);

const approvalText = Handlebars.compile(
  `Your decision is needed ({{party}})

{{s.requesterName}} <{{s.requesterEmail}}> asks for clearance.
Type: {{typeName}}
Destination: {{s.destinationCountry}}
Dates: {{s.departureDate}} to {{s.returnDate}}
Purpose: {{s.purpose}}

You are asked as a member of {{party}} because:
{{#each reasons}}- {{this}}
{{/each}}
Review and decide: {{link}}

The link is yours alone, works once and expires on {{expiresAt}}.
`,
  { noEscape: true },
);

export function renderApprovalMail(args: {
  summary: RequestSummary;
  party: string;
  reasons: string[];
  link: string;
  expiresAt: string;
}): RenderedMail {
  const ctx = { ...args, s: args.summary, typeName: typeName(args.summary.type) };
  const subject = `[Clearance] ${typeName(args.summary.type)} to ${args.summary.destinationCountry} by ${args.summary.requesterName}: ${args.party} decision needed`;
  return { subject, text: approvalText(ctx), html: layout({ subject, body: approvalHtml(ctx) }) };
}

const OUTCOME_WORDS: Partial<Record<RequestStatus, string>> = {
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'sent back to you for changes',
  withdrawn: 'withdrawn',
  expired: 'expired',
};

const outcomeHtml = Handlebars.compile(`<h1 style="font-size: 1.25rem;">Your request was {{words}}</h1>
${summaryTable}
{{#if notes.length}}<h2 style="font-size:1rem;">From the approvers</h2><ul>{{#each notes}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
<p>Request reference: {{requestId}}</p>`);

const outcomeText = Handlebars.compile(
  `Your request was {{words}}.

Type: {{typeName}}
Destination: {{s.destinationCountry}}
Dates: {{s.departureDate}} to {{s.returnDate}}
{{#if notes.length}}
From the approvers:
{{#each notes}}- {{this}}
{{/each}}{{/if}}
Request reference: {{requestId}}
`,
  { noEscape: true },
);

export function renderOutcomeMail(args: {
  summary: RequestSummary;
  status: RequestStatus;
  notes: string[];
  requestId: string;
}): RenderedMail {
  const words = OUTCOME_WORDS[args.status] ?? args.status;
  const ctx = { ...args, words, s: args.summary, typeName: typeName(args.summary.type) };
  const subject = `[Clearance] Your ${typeName(args.summary.type).toLowerCase()} request was ${words}`;
  return { subject, text: outcomeText(ctx), html: layout({ subject, body: outcomeHtml(ctx) }) };
}
