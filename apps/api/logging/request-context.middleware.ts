import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestContext, requestIdOf } from '@libs/observability';

/** Makes the request id available to everything the request calls (the Temporal client interceptor). */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    requestContext.run({ requestId: requestIdOf(req, res) }, next);
  }
}
