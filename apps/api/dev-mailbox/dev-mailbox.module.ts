import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { AppConfig } from '../../../libs/config';
import { SmtpCapture } from '../../../libs/mail';
import { APP_CONFIG } from '../common/tokens';
import { DevMailboxController } from './dev-mailbox.controller';

/** Starts the SMTP capture server with the API (dev mode) and serves what it caught. */
@Module({})
export class DevMailboxModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DevMailbox');

  constructor(
    private readonly capture: SmtpCapture,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `capture` lets a test share its own capture server instead of starting one. */
  static register(capture?: SmtpCapture): DynamicModule {
    return {
      module: DevMailboxModule,
      controllers: [DevMailboxController],
      providers: [{ provide: SmtpCapture, useValue: capture ?? new SmtpCapture() }],
    };
  }

  async onModuleInit(): Promise<void> {
    const port = this.config.mail.capturePort;
    if (port === null) return;
    const bound = await this.capture.start(port);
    this.logger.log(`SMTP capture listening on 127.0.0.1:${bound}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.capture.stop();
  }
}
