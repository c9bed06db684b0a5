import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { AppConfig } from '@libs/config';
import { LocalMailbox, Mailbox, RemoteMailbox, SmtpCapture } from '@libs/mail';
import { APP_CONFIG } from '../common/tokens';
import { DevMailboxController } from './dev-mailbox.controller';

/**
 * Starts the SMTP capture server with the API (dev mode) and serves what it caught; with
 * SMTP_CAPTURE_URL, serves a standalone capture's mailbox instead (several APIs, one mailbox).
 */
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
      providers: [
        { provide: SmtpCapture, useValue: capture ?? new SmtpCapture() },
        {
          provide: Mailbox,
          inject: [APP_CONFIG, SmtpCapture],
          useFactory: (config: AppConfig, local: SmtpCapture): Mailbox =>
            config.mail.captureUrl ? new RemoteMailbox(config.mail.captureUrl) : new LocalMailbox(local),
        },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    if (this.config.mail.captureUrl) {
      this.logger.log(`dev mailbox reads the standalone SMTP capture at ${this.config.mail.captureUrl}`);
      return;
    }
    const port = this.config.mail.capturePort;
    if (port === null) return;
    const bound = await this.capture.start(port);
    this.logger.log(`SMTP capture listening on 127.0.0.1:${bound}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.capture.stop();
  }
}
