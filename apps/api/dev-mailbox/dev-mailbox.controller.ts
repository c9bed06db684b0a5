import { Controller, Delete, Get, HttpCode, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import Handlebars from 'handlebars';
import type { Response } from 'express';
import { Mailbox } from '@libs/mail';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';

/** `?to=` once at most: a repeated one arrives as an array. */
function recipient(to: unknown): string | undefined {
  if (to === undefined || typeof to === 'string') return to;
  throw DomainError.validation([{ field: 'to', messages: ['to must be given at most once'] }]);
}

const page = Handlebars.compile(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Dev mailbox · Clearance</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}article{border:1px solid #ccc;margin:1rem 0;padding:.75rem}
pre{white-space:pre-wrap}</style></head><body><main><h1>Dev mailbox ({{mails.length}})</h1>
<form method="get"><label for="to">Recipient</label> <input id="to" name="to" value="{{to}}"> <button>Filter</button></form>
{{#each mails}}<article><h2>{{subject}}</h2><p>To {{join to}} · {{receivedAt}}</p>
{{#each links}}<p><a href="{{this}}">{{this}}</a></p>{{/each}}<details><summary>Text</summary><pre>{{text}}</pre></details></article>
{{else}}<p>No mail yet.</p>{{/each}}</main></body></html>`);

/** Dev mode only: what the SMTP capture server received. Not registered in production (404). */
@ApiTags('dev')
@Public()
@Controller('dev')
export class DevMailboxController {
  constructor(private readonly mailbox: Mailbox) {}

  @Get('mailbox')
  @ApiOperation({ summary: 'Dev mode: captured emails, newest first' })
  async list(@Query('to') to?: string) {
    return (await this.mailbox.list(recipient(to))).map((m) => ({
      id: m.id,
      to: m.to.join(', '),
      subject: m.subject,
      text: m.text,
      html: m.html,
      links: m.links,
      receivedAt: m.receivedAt,
    }));
  }

  @Delete('mailbox')
  @HttpCode(204)
  async clear(): Promise<void> {
    await this.mailbox.clear();
  }

  @Get('mailbox.html')
  async html(@Query('to') to: string | undefined, @Res() res: Response): Promise<void> {
    const wanted = recipient(to);
    res.type('html').send(page({ to: wanted ?? '', mails: await this.mailbox.list(wanted) }));
  }
}
