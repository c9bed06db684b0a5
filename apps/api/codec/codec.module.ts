import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CodecCorsMiddleware } from './codec-cors.middleware';
import { CodecController } from './codec.controller';

/** The Temporal codec server (`POST /codec/encode`, `POST /codec/decode`) and its CORS. */
@Module({ controllers: [CodecController], providers: [CodecCorsMiddleware] })
export class CodecModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CodecCorsMiddleware).forRoutes({ path: 'codec/*path', method: RequestMethod.ALL });
  }
}
