import { Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@libs/config';
import { createRootLogger, REQUEST_ID_LOG_KEY, requestIdOf, scrubPath } from '@libs/observability';
import { RequestContextMiddleware } from './request-context.middleware';

/**
 * JSON logs through pino (nestjs-pino): one line per request with method, scrubbed path, status
 * and time, and the request id on every line logged while serving it. No headers, bodies, query
 * strings, emails or link tokens: the serializers keep only what is listed here.
 */
@Module({})
export class LoggingModule implements NestModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: createRootLogger('clearance-api', config.logLevel),
            genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
            customAttributeKeys: { reqId: REQUEST_ID_LOG_KEY },
            quietReqLogger: true,
            serializers: {
              req: (req: { method?: string; url?: string }) => ({ method: req.method, path: scrubPath(req.url) }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
            customSuccessMessage: (req, res) => `${req.method} ${scrubPath(req.url)} ${res.statusCode}`,
            customErrorMessage: (req, res) => `${req.method} ${scrubPath(req.url)} ${res.statusCode}`,
          },
        }),
      ],
      providers: [RequestContextMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
