import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../api/common/domain-error';
import { ApiRefusal, SignInRequired } from './page-errors';
import { Pages } from './pages';
import type { PageRequest } from './session/web-session';

const HEADINGS: Record<number, string> = {
  400: 'That did not work',
  401: 'Please sign in again',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Already done',
  410: 'Gone',
  422: 'That did not work',
  429: 'Too many attempts',
  503: 'Clearance is unavailable',
};

/** Errors on pages become pages (or a redirect to sign-in), never JSON and never a stack trace. */
@Catch()
export class PageExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  constructor(private readonly pages: Pages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<PageRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof SignInRequired || (exception instanceof ApiRefusal && exception.status === 401)) {
      const next = exception instanceof SignInRequired ? exception.next : '/app';
      res.redirect(303, `/app/sign-in?next=${encodeURIComponent(next)}`);
      return;
    }
    const { status, message } = describe(exception);
    if (status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    this.pages.send(req, res, 'error', HEADINGS[status] ?? 'Something went wrong', {
      status,
      data: { heading: HEADINGS[status] ?? 'Something went wrong', message, back: safeBack(req) },
    });
  }
}

function describe(exception: unknown): { status: number; message: string } {
  if (exception instanceof ApiRefusal) return { status: exception.status, message: exception.message };
  if (exception instanceof DomainError) return { status: exception.status, message: exception.message };
  if (exception instanceof HttpException) {
    return {
      status: exception.getStatus(),
      message: exception.getStatus() === 404 ? 'There is no such page.' : exception.message,
    };
  }
  const parserError = exception as { status?: number };
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return { status: parserError.status, message: 'The form could not be read.' };
  }
  return { status: 500, message: 'Something went wrong on our side; nothing was recorded by this page. Try again.' };
}

/** Back to where the person came from, only within /app. */
function safeBack(req: PageRequest): string {
  const referer = req.headers.referer;
  if (typeof referer === 'string') {
    try {
      const url = new URL(referer);
      if (url.pathname.startsWith('/app')) return url.pathname + url.search;
    } catch {
      // not a URL
    }
  }
  return '/app';
}
