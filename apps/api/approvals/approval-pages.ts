import Handlebars from 'handlebars';
import { label, reasonInWords } from '@libs/domain/labels';
import { decisionPacket, earlierInWords, sinceInWords } from '../requests/decision-packet';
import type { PacketExtras } from '../requests/decision-packet.service';
import type { RequestView } from '../requests/request-view';
import type { LinkOutcome, SignIn } from './approval-links.service';

/**
 * The link pages wear the app's own look: the stylesheet every page under /app loads (same origin, so the
 * CSP allows it as 'self'; the page sends no referrer, so the token in its URL never travels with it).
 */
const layout = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>{{title}} · Clearance</title>
<link rel="stylesheet" href="/app/assets/app.css"></head>
<body><header class="top"><span class="brand">Clearance</span></header>
<main id="main" class="link-page">{{{body}}}</main></body></html>`);

const summary = `<table>
<tr><th scope="row">Reference</th><td id="reference">{{r.reference}}</td></tr>
<tr><th scope="row">Requester</th><td>{{p.requester}}</td></tr>
{{#each p.rows}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>
{{/each}}</table>`;

/** The rest of the decision packet: screening hits, every party's status and conditions, what changed. */
const packetMore = `{{#if p.hits.length}}<h2>Restricted-party screening</h2>
<ul class="hits">{{#each p.hits}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
{{#if amendments.length}}<h2>What changed after an amendment</h2><ul>{{#each amendments}}<li>{{this}}</li>{{/each}}</ul>
{{else if p.changes.length}}<h2>What changed after an amendment</h2><ul>{{#each p.changes}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
<h2>All parties</h2>
<ul>{{#each p.parties}}<li><strong>{{party}}</strong> (stage {{stage}}{{#if deciding}}, you decide for it{{/if}}): {{status}}{{#if decidedBy}} by {{decidedBy}}{{/if}}
{{#if comment}}<br>Comment: “{{comment}}”{{/if}}
{{#if conditions.length}}<br>Conditions: {{join conditions}}{{/if}}
<br>Asked because: {{#each reasons}}{{this}}{{#unless @last}}; {{/unless}}{{/each}}</li>{{/each}}</ul>`;

Handlebars.registerHelper('join', (list: unknown) => (Array.isArray(list) ? list.join(', ') : ''));

const signInNotice = `<p class="notice" role="status">This request needs you signed in as yourself before a decision from this email counts:
<a href="{{signIn.url}}">Sign in as {{signIn.as}}</a>, or record your decision below and confirm it with a one-time code we email you.</p>`;

/** For a party asked again after an amendment: what it said last time, and every field changed since. */
const sinceYouDecided = `{{#each since}}<section aria-labelledby="h-since-{{@index}}" class="since">
<h2 id="h-since-{{@index}}">What changed since you last decided ({{party}})</h2>
<p>{{decided}}{{#if comment}}: “{{comment}}”{{/if}}.</p>
{{#if conditions.length}}<p>Your earlier conditions: {{join conditions}}</p>{{/if}}
{{#if changes.length}}<ul>{{#each changes}}<li>{{this}}</li>{{/each}}</ul>{{else}}<p>Nothing you decided on has changed since.</p>{{/if}}
</section>{{/each}}`;

/** The requester's earlier requests the reader may see, with how each ended. */
const earlierList = `{{#if flags}}<p id="person-flags">Directory flags of {{r.requester.email}}: {{flags}}.</p>{{/if}}
<h2 id="h-earlier">Earlier requests of {{r.requester.email}}</h2>
{{#if earlier.length}}<ul class="earlier">{{#each earlier}}<li>{{reference}} {{title}}, {{dates}}, submitted {{submitted}}: {{outcome}}</li>{{/each}}</ul>
{{else}}<p>None that you may see.</p>{{/if}}`;

const decisionForm = Handlebars.compile(`<h1>Decide for {{party}}</h1>
{{#if signIn}}${signInNotice}{{/if}}
<p>You are asked as a member of <strong>{{party}}</strong> because: {{#each reasons}}{{this}}{{#unless @last}}; {{/unless}}{{/each}}.</p>
${sinceYouDecided}
${summary}
${packetMore}
${earlierList}
<form method="post" action="">
<fieldset><legend>Your decision</legend>
<div class="check"><input type="radio" id="d-approve" name="decision" value="approve" required><label for="d-approve">Approve</label></div>
<div class="check"><input type="radio" id="d-changes" name="decision" value="request_changes"><label for="d-changes">Request changes</label></div>
<div class="check"><input type="radio" id="d-reject" name="decision" value="reject"><label for="d-reject">Reject</label></div>
</fieldset>
<label for="comment">Comment (required to reject or request changes)</label>
<textarea id="comment" name="comment" rows="4" maxlength="4000"></textarea>
<label for="conditions">Conditions of an approval, one per line (for example "clean laptop only")</label>
<textarea id="conditions" name="conditions" rows="3" maxlength="4000"></textarea>
<p><button type="submit">Record my decision</button></p>
</form>
<p>Opening this page records nothing; only the button does.</p>`);

const message =
  Handlebars.compile(`<h1>{{title}}</h1><p class="notice {{#if error}}error{{/if}}" role="{{#if error}}alert{{else}}status{{/if}}">{{text}}</p>
{{#if r}}${summary}{{/if}}{{{after}}}`);

function ctx(view: RequestView | undefined, deciding?: string) {
  return view ? { r: view, p: decisionPacket(view, deciding) } : {};
}

export function decisionPage(
  view: RequestView,
  party: string,
  reasons: string[],
  signIn: SignIn | null,
  amendments: string[] = [],
  extras: PacketExtras = { earlierRequests: [], sinceLastDecided: [] },
): string {
  const words = label(party);
  return layout({
    title: `Decide for ${words}`,
    body: decisionForm({
      ...ctx(view, party),
      party: words,
      reasons: reasons.map(reasonInWords),
      signIn,
      amendments,
      earlier: earlierInWords(extras.earlierRequests),
      flags: extras.requesterFlags ?? null,
      since: sinceInWords(extras.sinceLastDecided),
    }),
  });
}

export function messagePage(
  title: string,
  text: string,
  options: { error?: boolean; view?: RequestView; after?: string } = {},
): string {
  return layout({
    title,
    body: message({ title, text, error: options.error, after: options.after, ...ctx(options.view) }),
  });
}

const stepUpForm = Handlebars.compile(`<h1>Confirm your decision for {{party}}</h1>
<p class="notice" role="status">A decision on this request from an email counts only when you confirm it. We sent a one-time code to your address: enter it to confirm. Nothing is recorded until you do.
It confirms only this decision. Or <a href="{{signIn.url}}">Sign in as {{signIn.as}}</a> and decide signed in.</p>
${summary}
<form method="post" action="">
<input type="hidden" name="decision" value="{{fields.decision}}">
<input type="hidden" name="comment" value="{{fields.comment}}">
<input type="hidden" name="conditions" value="{{fields.conditions}}">
<p>Your decision: <strong>{{decisionWords}}</strong></p>
<label for="code">One-time code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<p><button type="submit">Confirm my decision</button></p>
</form>`);

/** The second step of a custody decision from an email link: the code sent to the approver. */
export function stepUpPage(
  view: RequestView,
  party: string,
  fields: { decision: string; comment: string; conditions: string },
  signIn: SignIn,
): string {
  return layout({
    title: `Confirm your decision for ${label(party)}`,
    body: stepUpForm({
      ...ctx(view, party),
      party: label(party),
      decisionWords: label(fields.decision),
      fields,
      signIn,
    }),
  });
}

const signInLine = Handlebars.compile(`<p><a href="{{url}}">Sign in as {{as}}</a> to decide signed in instead.</p>`);

const DONE_WORDS: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'sent back for changes',
};

const DECIDED_WORDS: Record<string, string> = {
  approved: 'approved',
  rejected: 'rejected',
  changes_requested: 'requested changes to',
};

const CODE_REFUSED: Record<Extract<LinkOutcome, { kind: 'code_refused' }>['problem'], string> = {
  wrong: 'That code is not right. Nothing was recorded; go back and try again.',
  expired: 'That code has expired. Nothing was recorded; open the link again for a new code.',
  locked: 'Too many wrong codes. Nothing was recorded; open the link again for a new code.',
  exhausted:
    'Too many wrong codes for this link. Nothing was recorded, and this link takes no more codes: use the link in a fresh email from Clearance, or sign in and decide there.',
  other_decision:
    'This code confirms another decision than the one sent with it. Nothing was recorded; open the link again, choose your decision and ask for a new code.',
  missing: 'No code is waiting for this link. Nothing was recorded; open the link again.',
};

const TIME = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The status and page for each answer of an approval link. */
export function linkOutcomePage(outcome: LinkOutcome): { status: number; page: string } {
  switch (outcome.kind) {
    case 'link_invalid':
      return {
        status: 400,
        page: messagePage(
          'This link is not valid',
          'The link is damaged or was not issued by Clearance. Nothing was recorded.',
          { error: true },
        ),
      };
    case 'link_expired':
      return {
        status: 410,
        page: messagePage(
          'This link has expired',
          'Approval links expire. Nothing was recorded. Open the request from your inbox instead.',
          { error: true },
        ),
      };
    case 'request_not_found':
      return { status: 404, page: messagePage('Request not found', 'This request no longer exists.', { error: true }) };
    case 'not_your_link':
      return {
        status: 403,
        page: messagePage(
          'This link is not yours',
          `This link was sent to ${outcome.recipient} and decides only for them; you are signed in as ${outcome.signedInAs}. Nothing was recorded. If the email was forwarded to you, decide from your own inbox in Clearance.`,
          { error: true },
        ),
      };
    case 'not_member': {
      const who = outcome.onBehalfOf ? `${outcome.onBehalfOf} is` : 'You are';
      return {
        status: 403,
        page: messagePage(
          'Not allowed',
          `${who} no longer a member of ${label(outcome.party)}. Nothing was recorded.`,
          {
            error: true,
          },
        ),
      };
    }
    case 'delegation_ended':
      return {
        status: 403,
        page: messagePage(
          'Delegation ended',
          `You no longer stand in for ${outcome.onBehalfOf}. Nothing was recorded.`,
          { error: true },
        ),
      };
    case 'already_decided':
      return { status: 409, page: alreadyDecidedPage(outcome) };
    case 'link_replaced':
      return {
        status: 410,
        page: messagePage(
          'This link was replaced',
          'The request was amended since this email was sent; use the link in the newer email.',
          { error: true, view: outcome.view },
        ),
      };
    case 'open':
      return {
        status: 200,
        page: decisionPage(
          outcome.view,
          outcome.party,
          outcome.reasons,
          outcome.signIn,
          outcome.amendments,
          outcome.extras,
        ),
      };
    case 'decision_invalid':
      return {
        status: 400,
        page: messagePage('Nothing was recorded', `${outcome.problems}. Go back and try again.`, {
          error: true,
          view: outcome.view,
        }),
      };
    case 'code_sent':
      return { status: 200, page: stepUpPage(outcome.view, outcome.party, outcome.form, outcome.signIn) };
    case 'code_held':
      return {
        status: outcome.nextAt ? 429 : 403,
        page: messagePage(
          'No code sent',
          outcome.nextAt
            ? `This link has had its codes for this hour; the next code can be sent at ${TIME(outcome.nextAt)}. Nothing was recorded and no email was sent.`
            : 'Too many wrong codes for this link. Nothing was recorded and no code was sent: use the link in a fresh email from Clearance, or sign in and decide there.',
          { error: true, view: outcome.view, after: signInLine(outcome.signIn) },
        ),
      };
    case 'code_refused':
      return {
        status: outcome.problem === 'wrong' ? 400 : 403,
        page: messagePage('Not confirmed', CODE_REFUSED[outcome.problem], { error: true, view: outcome.view }),
      };
    case 'decision_refused':
      return {
        status: outcome.error.status,
        page: messagePage('Nothing was recorded', outcome.error.message, { error: true, view: outcome.view }),
      };
    case 'decision_unconfirmed':
      return {
        status: 503,
        page: messagePage(
          'We could not confirm your decision yet',
          `Clearance did not answer in time after your decision for ${label(outcome.party)} was sent, and the request does not show it yet: it may still be recorded. Reload this page in a minute to see whether it was.`,
          { error: true, view: outcome.view },
        ),
      };
    case 'decision_recorded':
      return {
        status: 200,
        page: messagePage(
          'Decision recorded',
          `You ${DONE_WORDS[outcome.decision]} this request for ${label(outcome.party)}. The request is now ${label(outcome.view.status).toLowerCase()}.`,
          { view: outcome.view },
        ),
      };
  }
}

function alreadyDecidedPage(outcome: Extract<LinkOutcome, { kind: 'already_decided' }>): string {
  const { decided, party, view } = outcome;
  if (decided) {
    const at = decided.at ? ` on ${decided.at.slice(0, 16).replace('T', ' ')} UTC` : '';
    const words = DECIDED_WORDS[decided.status] ?? decided.status;
    return messagePage(
      'Already decided',
      `Already decided by ${decided.by}${at}: ${words} for ${label(party)}. Nothing was recorded.`,
      { error: true, view },
    );
  }
  return messagePage(
    'No longer awaiting a decision',
    `This request is ${label(outcome.requestStatus ?? 'closed').toLowerCase()}; ${label(party)} is not awaiting a decision. Nothing was recorded.`,
    { error: true, view },
  );
}
