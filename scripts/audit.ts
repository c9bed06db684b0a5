import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import { compareWithRecords, rebuildTrail, replayHistories, replayHistory } from '@libs/audit';
import { loadConfig, type AppConfig } from '@libs/config';
import { workflowIdFor } from '@libs/contracts';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import {
  HistoryArchiveRepository,
  openDataSource,
  parseChainHead,
  RequestRepository,
  verifyChainCommand,
} from '@libs/persistence';
import { temporalConnectionOptions } from '@libs/temporal';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * The auditor's command line:
 *   npm run audit -- replay <history.json>   replay a file (Temporal's JSON export) against the current code
 *   npm run audit -- replay-all              replay every archived history, with progress and a summary
 *   npm run audit -- verify <requestId>      history (archive or live) replayed and matched with the records
 *   npm run audit -- verify-chain [--head <seq>:<hash>]   the audit log's hash chain (optionally against an exported head)
 * Exit code 0 when everything holds, 1 on any failure, 2 on bad usage.
 */
const out = (line: string) => process.stdout.write(`${line}\n`);

function codecOf(config: AppConfig): EncryptionCodec {
  return new EncryptionCodec(new Keyring(config.encryption));
}

async function replayFile(file: string, config: AppConfig): Promise<number> {
  if (!file || !fs.existsSync(file)) {
    out(`usage: npm run audit -- replay <history.json> (no such file: ${file ?? ''})`);
    return 2;
  }
  const result = await replayHistory(JSON.parse(fs.readFileSync(file, 'utf8')), { codec: codecOf(config) });
  if (result.deterministic) {
    out(`deterministic: ${file} (${result.eventCount} events) replays cleanly against the current workflow code`);
    return 0;
  }
  out(`NOT deterministic: ${file} (${result.eventCount} events)\n  ${result.error}`);
  return 1;
}

/**
 * A progress line on stderr (done/total, rate, ETA), redrawn at most every 200 ms; only when stderr
 * is a terminal, so logs and pipes get the results and the summary alone.
 */
function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let drawn = 0;
  const width = 30;
  const draw = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? Math.round((total - done) / rate) : null;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${eta === null ? '?' : `${eta}s`}  `,
    );
  };
  return {
    tick(done: number) {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (done < total && now - drawn < 200) return;
      drawn = now;
      draw(done);
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

async function replayAll(config: AppConfig): Promise<number> {
  const dataSource = await openDataSource(config.database, { migrate: true, auditChain: config.auditChain });
  try {
    const archives = new HistoryArchiveRepository(dataSource);
    const total = await archives.count();
    const progress = progressBar(total);
    const failures: string[] = [];
    let done = 0;
    // One replay worker for all of them, fed page by page; each archive is checked against the chain as it is read.
    const histories = (async function* () {
      for await (const archive of archives.each())
        yield { workflowId: archive.workflowId, history: JSON.parse(archive.json) as unknown };
    })();
    try {
      for await (const result of replayHistories(histories, { codec: codecOf(config) })) {
        if (!result.deterministic) failures.push(`${result.workflowId}: ${result.error}`);
        progress.tick(++done);
      }
    } finally {
      progress.end();
    }
    for (const failure of failures) out(`NOT deterministic: ${failure}`);
    out(`${done - failures.length} passed, ${failures.length} failed`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

async function verify(requestId: string, config: AppConfig): Promise<number> {
  if (!requestId) {
    out('usage: npm run audit -- verify <requestId>');
    return 2;
  }
  const dataSource = await openDataSource(config.database, { migrate: true, auditChain: config.auditChain });
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const requests = new RequestRepository(dataSource);
    const stored = await requests.findById(requestId);
    if (!stored) {
      out(`no request ${requestId} in the database`);
      return 1;
    }
    const workflowId = workflowIdFor(requestId);
    const archived = await new HistoryArchiveRepository(dataSource).get(workflowId);
    const json =
      archived?.json ??
      historyToJSON(
        await new Client({ connection, namespace: config.temporal.namespace }).workflow
          .getHandle(workflowId)
          .fetchHistory(),
      );
    const history: unknown = JSON.parse(json);
    const codec = codecOf(config);
    const result = await replayHistory(history, { workflowId, codec });
    const trail = await rebuildTrail(history, codec);
    const mismatches = compareWithRecords(trail, stored.request, await requests.decisionsFor(requestId));
    out(`request ${requestId} (${archived ? 'archived' : 'live'} history, ${result.eventCount} events)`);
    if (archived) {
      out(
        `  archive SHA-256 ${archived.sha256}: ${
          archived.chainSeq === null
            ? 'NOT recorded in the audit chain (archived before archives were chained)'
            : `matches audit chain row ${archived.chainSeq}`
        }`,
      );
    }
    out(`  replay: ${result.deterministic ? 'deterministic' : `NOT deterministic: ${result.error}`}`);
    out(`  decisions rebuilt from the history: ${trail.decisions.length}; policy version ${trail.policyVersion}`);
    for (const m of mismatches)
      out(`  MISMATCH ${m.field}: history ${JSON.stringify(m.history)} vs records ${JSON.stringify(m.records)}`);
    out(`  records ${mismatches.length === 0 ? 'match' : 'do NOT match'} the history`);
    return result.deterministic && mismatches.length === 0 ? 0 : 1;
  } finally {
    await connection.close();
    await dataSource.destroy();
  }
}

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const [command, arg] = process.argv.slice(2);
  const config = loadConfig();
  switch (command) {
    case 'replay':
      return replayFile(arg, config);
    case 'replay-all':
      return replayAll(config);
    case 'verify':
      return verify(arg, config);
    case 'verify-chain': {
      const [, flag, value] = process.argv.slice(2);
      if (flag === undefined) return verifyChainCommand(config);
      const expectedHead = flag === '--head' && value ? parseChainHead(value) : null;
      if (!expectedHead) {
        out('usage: npm run audit -- verify-chain [--head <seq>:<64 hex characters>]');
        return 2;
      }
      return verifyChainCommand(config, { expectedHead });
    }
    default:
      out(
        'usage: npm run audit -- replay <history.json> | replay-all | verify <requestId> | verify-chain [--head <seq>:<hash>]',
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
