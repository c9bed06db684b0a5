import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from './domain-error';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** One JSON error shape for every failure; never a stack trace in a response. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.describe(exception);
    if (status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (res.headersSent) return;
    res.status(status).json({ statusCode: status, error: REASONS[status] ?? 'Error', ...body });
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: {
          code: exception.code,
          message: exception.message,
          ...(exception.fields ? { errors: exception.fields } : {}),
          ...exception.body,
        },
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return { status: exception.getStatus(), body: { message: message ?? exception.message } };
    }
    // body-parser errors carry a status: malformed JSON, too large, bad charset.
    const parserError = exception as { status?: number; type?: string };
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      const message =
        parserError.type === 'entity.too.large'
          ? 'the request body is too large'
          : parserError.type === 'entity.parse.failed'
            ? 'the request body is not valid JSON'
            : 'the request body could not be read';
      return { status: parserError.status, body: { code: parserError.type, message } };
    }
    return { status: 500, body: { message: 'internal error' } };
  }
}
