import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '@libs/config';
import { AppModule, type ApiOverrides } from './app.module';
import { applySecurityHeaders } from './security/security-headers';

/** Builds the HTTP application (not yet listening): body limits, OpenAPI, shutdown hooks. */
export async function createApiApp(config: AppConfig, overrides: ApiOverrides = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, overrides), {
    bodyParser: false,
    // On SIGTERM, close keep-alive connections too: without this, busy clients kept the server from
    // ever closing, so the process did not exit (found by `npm run chaos`). Clients retry the cut calls.
    forceCloseConnections: true,
    // JSON logs through pino (apps/api/logging); boot messages wait for it
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.useBodyParser('text', { type: 'text/csv', limit: config.bodyLimit });
  app.disable('x-powered-by');
  // client addresses (rate limits, logs) from X-Forwarded-For only when the proxies are named
  if (config.http.trustProxy !== undefined) app.set('trust proxy', config.http.trustProxy);
  applySecurityHeaders(app, config);
  // The pages' session and CSRF cookies (apps/web); the JSON API itself reads only bearer tokens.
  app.use(cookieParser());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Clearance')
      .setDescription('Durable, replayable clearance decisions for people who carry critical knowledge across borders')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
