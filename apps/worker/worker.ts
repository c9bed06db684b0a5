import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import type { AppConfig } from '@libs/config';
import { EncryptionCodec, Keyring, LinkTokens, UpdateProofs } from '@libs/crypto';
import { MeteredMailer, workerTelemetryOptions, type Tracing } from '@libs/observability';
import {
  AssignedReviewerRepository,
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  HistoryArchiveRepository,
  openDataSource,
  PassportRepository,
  RequestProjectionWriter,
  RequestRepository,
  ScreeningEntryRepository,
  SentEmailRepository,
} from '@libs/persistence';
import { ScreeningService } from '@libs/screening/screening.service';
import { temporalConnectionOptions, WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';

export interface ClearanceWorker {
  worker: Worker;
  /** Stops polling, waits for running tasks, then closes the database, SMTP pool and connection. */
  close: () => Promise<void>;
}

export interface WorkerOverrides {
  /** A prebuilt workflow bundle (tests and production images build it once). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  connection?: NativeConnection;
  dataSource?: DataSource;
  /** OpenTelemetry tracing of this process, when started (libs/observability startTracing). */
  tracing?: Tracing | null;
}

/** Builds the Temporal worker with its activities bound to real database and SMTP. */
export async function createClearanceWorker(
  config: AppConfig,
  overrides: WorkerOverrides = {},
): Promise<ClearanceWorker> {
  const ownsConnection = !overrides.connection;
  const connection =
    overrides.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config.temporal)));
  const dataSource =
    overrides.dataSource ?? (await openDataSource(config.database, { migrate: false, auditChain: config.auditChain }));
  const mailer = new MeteredMailer(config.mail.smtpUrl, config.mail.from, Runtime.instance().metricMeter);
  const requests = new RequestRepository(dataSource);
  const directory = new DirectoryRepository(dataSource);
  const activities = createActivities({
    projection: new RequestProjectionWriter(dataSource),
    submissionProof: { proofs: new UpdateProofs(config.updateProofs.secret), required: !config.devMode },
    requests,
    directory,
    delegations: new DelegationRepository(dataSource),
    passports: new PassportRepository(dataSource),
    archives: new HistoryArchiveRepository(dataSource),
    conflicts: new ConflictCheck(directory, requests, new AssignedReviewerRepository(dataSource)),
    sentEmails: new SentEmailRepository(dataSource),
    screening: new ScreeningService(new ScreeningEntryRepository(dataSource)),
    mailer,
    linkTokens: new LinkTokens(config.linkTokens.secret, config.linkTokens.ttl),
    publicUrl: config.publicUrl,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // Every payload is sealed before it reaches Temporal; unencrypted (older) payloads still decode.
    dataConverter: { payloadCodecs: [new EncryptionCodec(new Keyring(config.encryption))] },
    // request id in activity logs, spans when tracing, and the workflow interceptors' sink
    ...workerTelemetryOptions(overrides.tracing, { prebuiltBundle: !!overrides.workflowBundle }),
    ...(overrides.workflowBundle
      ? { workflowBundle: overrides.workflowBundle }
      : { workflowsPath: require.resolve('../../workflows'), bundlerOptions: WORKFLOW_BUNDLER_OPTIONS }),
  });
  return {
    worker,
    close: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      mailer.close();
      if (!overrides.dataSource) await dataSource.destroy();
      if (ownsConnection) await connection.close();
    },
  };
}
