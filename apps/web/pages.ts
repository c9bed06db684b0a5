import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Views } from './views';
import { WebSession, type PageRequest } from './session/web-session';

export interface SendOptions {
  status?: number;
  data?: object;
  scripts?: string[];
}

/** Renders a page for the signed-in person (navigation, CSRF token) and sends it uncached. */
@Injectable()
export class Pages {
  constructor(
    private readonly views: Views,
    private readonly session: WebSession,
  ) {}

  send(req: PageRequest, res: Response, template: string, title: string, options: SendOptions = {}): void {
    const csrf = this.session.csrfToken(req, res);
    const html = this.views.render(
      template,
      title,
      { person: req.person, csrf, path: req.path, scripts: options.scripts },
      options.data,
    );
    res
      .status(options.status ?? 200)
      .setHeader('Cache-Control', 'no-store')
      .type('html')
      .send(html);
  }
}

/** Where to go after signing in: only paths inside the app, never another site. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.startsWith('//')) return '/app';
  // a page of ours, or the approval link someone signs in to decide through
  return /^\/app(\/[\w\-./?=&%]*)?$/.test(next) || /^\/approvals\/[\w\-.]+$/.test(next) ? next : '/app';
}
