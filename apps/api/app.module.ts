import { Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import * as fs from 'node:fs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@libs/config';
import { EncryptionCodec, Keyring, LinkTokens, UpdateProofs } from '@libs/crypto';
import type { DirectorySeed } from '@libs/domain/person';
import { Mailer, type SmtpCapture } from '@libs/mail';
import {
  AssignedReviewerRepository,
  AuthorizationDocumentRepository,
  AuditLogRepository,
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  HistoryArchiveRepository,
  openDataSource,
  withStartupLock,
  PassportRepository,
  PolicyRepository,
  RequestProjectionWriter,
  RequestRepository,
  ScreeningEntryRepository,
  SentEmailRepository,
  StepUpRepository,
} from '@libs/persistence';
import { ScreeningService } from '@libs/screening/screening.service';
import { ApprovalLinksController } from './approvals/approval-links.controller';
import { ApprovalLinksService } from './approvals/approval-links.service';
import { StepUpService } from './approvals/step-up.service';
import { InboxController } from './approvals/inbox.controller';
import { InboxService } from './approvals/inbox.service';
import { AuditChainController } from './audit/audit-chain.controller';
import { AuditHistoryController } from './audit/audit-history.controller';
import { AuditHistoryService } from './audit/audit-history.service';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { CodecModule } from './codec/codec.module';
import { DevLoginController } from './auth/dev-login.controller';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { APP_CONFIG } from './common/tokens';
import { DelegationController } from './delegation/delegation.controller';
import { DelegationService } from './delegation/delegation.service';
import { DevMailboxModule } from './dev-mailbox/dev-mailbox.module';
import { DirectoryController } from './directory/directory.controller';
import { DirectoryService } from './directory/directory.service';
import { HealthController } from './health/health.controller';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PassportsController } from './passports/passports.controller';
import { PassportsService } from './passports/passports.service';
import { PolicyController } from './policy/policy.controller';
import { PolicyService } from './policy/policy.service';
import { ReportsModule } from './reports/reports.module';
import { RequestsController } from './requests/requests.controller';
import { DecisionPacketService } from './requests/decision-packet.service';
import { RequestsService } from './requests/requests.service';
import { ReviewersService } from './requests/reviewers.service';
import { ScreeningController } from './screening/screening.controller';
import { rateLimitModule, RateLimitGuard } from './security/rate-limits';
import { TemporalGateway } from './temporal/temporal.gateway';
import { WebModule } from '../web/web.module';

export interface ApiOverrides {
  /** Tests share one capture server between the API and their assertions. */
  smtpCapture?: SmtpCapture;
}

const logger = new Logger('Database');

async function openDatabase(config: AppConfig): Promise<DataSource> {
  const dataSource = await openDataSource(config.database, { migrate: true, auditChain: config.auditChain });
  // Several APIs starting on a fresh database take turns, or both insert the same people (duplicate key).
  await withStartupLock(dataSource, async () => {
    await new PolicyRepository(dataSource).ensureDefault();
    // Duplicates the screening identity migration removed go on the audit chain (it holds no key).
    const recorded = await new ScreeningEntryRepository(dataSource).recordMigrationRemovals();
    if (recorded > 0) logger.log(`${recorded} duplicate screening entries removed by migration put on the audit chain`);
    if (config.directorySeedFile) {
      const seed = JSON.parse(fs.readFileSync(config.directorySeedFile, 'utf8')) as DirectorySeed;
      const count = await new DirectoryRepository(dataSource).applySeed(seed);
      logger.log(`directory seeded with ${count} people from ${config.directorySeedFile}`);
    }
  });
  return dataSource;
}

class MailerCloser implements OnApplicationShutdown {
  constructor(private readonly mailer: Mailer) {}
  onApplicationShutdown(): void {
    this.mailer.close();
  }
}

class DataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The HTTP application. Dev-only parts (dev-login, dev mailbox) are not even registered in production. */
@Module({})
export class AppModule {
  static register(config: AppConfig, overrides: ApiOverrides = {}): DynamicModule {
    const repositories: Provider[] = [
      RequestRepository,
      RequestProjectionWriter,
      DirectoryRepository,
      SentEmailRepository,
      ScreeningEntryRepository,
      PolicyRepository,
      DelegationRepository,
      PassportRepository,
      StepUpRepository,
      AuditLogRepository,
      HistoryArchiveRepository,
      AssignedReviewerRepository,
      AuthorizationDocumentRepository,
    ].map((Repo) => ({
      provide: Repo,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new Repo(dataSource),
    }));
    return {
      module: AppModule,
      imports: [
        LoggingModule.register(config),
        rateLimitModule(config),
        MetricsModule,
        CodecModule,
        ReportsModule,
        WebModule,
        ...(config.devMode ? [DevMailboxModule.register(overrides.smtpCapture)] : []),
      ],
      controllers: [
        HealthController,
        RequestsController,
        InboxController,
        ApprovalLinksController,
        DirectoryController,
        ScreeningController,
        PolicyController,
        DelegationController,
        PassportsController,
        AuditChainController,
        AuditHistoryController,
        ...(config.devMode ? [DevLoginController] : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DataSource, useFactory: () => openDatabase(config) },
        { provide: DataSourceCloser, inject: [DataSource], useFactory: (ds: DataSource) => new DataSourceCloser(ds) },
        ...repositories,
        { provide: Keyring, useFactory: () => new Keyring(config.encryption) },
        { provide: Mailer, useFactory: () => new Mailer(config.mail.smtpUrl, config.mail.from) },
        { provide: MailerCloser, inject: [Mailer], useFactory: (mailer: Mailer) => new MailerCloser(mailer) },
        { provide: EncryptionCodec, inject: [Keyring], useFactory: (keyring: Keyring) => new EncryptionCodec(keyring) },
        { provide: LinkTokens, useFactory: () => new LinkTokens(config.linkTokens.secret, config.linkTokens.ttl) },
        { provide: UpdateProofs, useFactory: () => new UpdateProofs(config.updateProofs.secret) },
        TemporalGateway,
        AuthService,
        RequestsService,
        DecisionPacketService,
        PolicyService,
        InboxService,
        ReviewersService,
        ApprovalLinksService,
        StepUpService,
        DelegationService,
        PassportsService,
        AuditHistoryService,
        {
          provide: ConflictCheck,
          inject: [DirectoryRepository, RequestRepository, AssignedReviewerRepository],
          useFactory: (
            directory: DirectoryRepository,
            requests: RequestRepository,
            assignments: AssignedReviewerRepository,
          ) => new ConflictCheck(directory, requests, assignments),
        },
        DirectoryService,
        {
          provide: ScreeningService,
          inject: [ScreeningEntryRepository],
          useFactory: (repo: ScreeningEntryRepository) => new ScreeningService(repo),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        // after AuthGuard: policy evaluation is counted per signed-in person
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
      exports: [APP_CONFIG, Keyring, EncryptionCodec, AuthService, DirectoryRepository, DataSource],
      global: true,
    };
  }
}
