import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { compareWithRecords, currentWorkflowCodeSha256, HistoryReplayer, rebuildTrail } from '@libs/audit';
import { workflowIdFor } from '@libs/contracts';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import { materialDocumentKey } from '@libs/domain/material-documents';
import {
  AuditLogRepository,
  AuthorizationDocumentRepository,
  authorizationDocumentAad,
  HistoryArchiveRepository,
  RequestRepository,
  type RequestEntity,
} from '@libs/persistence';
import { toRequestView } from '../requests/request-view';
import { DomainError } from '../common/domain-error';
import { TemporalGateway } from '../temporal/temporal.gateway';

/** An auditor's view of one request: its history (archived or live), replayed and matched with the records. */
@Injectable()
export class AuditHistoryService implements OnModuleDestroy {
  /** One replay worker shared by the replays asked in a while, instead of one per replay. */
  private readonly replayer: HistoryReplayer;

  constructor(
    private readonly requests: RequestRepository,
    private readonly archives: HistoryArchiveRepository,
    private readonly temporal: TemporalGateway,
    private readonly codec: EncryptionCodec,
    private readonly dataSource: DataSource,
    private readonly documents: AuthorizationDocumentRepository,
    private readonly keyring: Keyring,
  ) {
    this.replayer = new HistoryReplayer({ codec, idleMs: 30_000 });
  }

  async onModuleDestroy(): Promise<void> {
    await this.replayer.close();
  }

  /**
   * One zip an outside auditor can check: the history as exported, the trail rebuilt from it and
   * its match with the records, the database view, the audit-log rows of the request with their
   * hash chain, the workflow code version, and a SHA256SUMS file over all of it.
   */
  async evidence(requestId: string): Promise<Buffer> {
    const { json, source } = await this.history(requestId);
    const replay = await this.replay(requestId);
    const stored = (await this.requests.findById(requestId))!;
    const files: Record<string, string> = {
      'history.json': json,
      'trail.json': JSON.stringify(replay, null, 2),
      'record.json': JSON.stringify(
        { request: toRequestView(stored, 'reviewer'), decisions: await this.requests.decisionsFor(requestId) },
        null,
        2,
      ),
      'chain-proof.json': JSON.stringify(await new AuditLogRepository(this.dataSource).proofFor(requestId), null, 2),
      'code-version.json': JSON.stringify(
        {
          workflowCodeSha256: await currentWorkflowCodeSha256(),
          historySource: source,
          generatedAt: new Date().toISOString(),
        },
        null,
        2,
      ),
      'documents.json': JSON.stringify(await this.documentChecks(stored.request), null, 2),
      'README.txt': EVIDENCE_README,
    };
    const zip = new JSZip();
    const sums = Object.entries(files).map(([name, content]) => {
      zip.file(name, content);
      return `${createHash('sha256').update(content).digest('hex')}  ${name}`;
    });
    zip.file('SHA256SUMS', `${sums.join('\n')}\n`);
    return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  }

  /**
   * Each authorization's decision document and each material's file (`material-<index>`): the hash
   * on the record against the hash of the stored file, opened.
   */
  private async documentChecks(request: RequestEntity) {
    const checks = [];
    const recorded = [
      ...(request.authorizations ?? []).map((a) => ({
        kind: a.kind,
        label: a.label,
        documentSha256: a.documentSha256,
      })),
      ...(request.materialDocuments ?? []).map((d) => ({
        kind: materialDocumentKey(d.index),
        label: `Material '${d.title}'`,
        documentSha256: d.sha256,
      })),
    ];
    for (const a of recorded) {
      if (!a.documentSha256) continue;
      const stored = await this.documents.find(request.id, a.kind);
      let openedSha256: string | null = null;
      let problem: string | null = null;
      if (!stored) problem = 'no stored document';
      else {
        try {
          const bytes = this.keyring.open(
            stored.keyId,
            stored.ciphertext,
            authorizationDocumentAad(request.id, a.kind, stored.sha256),
          );
          openedSha256 = createHash('sha256').update(bytes).digest('hex');
        } catch (error) {
          problem = `the stored document does not open: ${(error as Error).message}`;
        }
      }
      checks.push({
        kind: a.kind,
        label: a.label,
        recordedSha256: a.documentSha256,
        storedSha256: stored?.sha256 ?? null,
        openedSha256,
        contentType: stored?.contentType ?? null,
        sizeBytes: stored?.sizeBytes ?? null,
        uploadedBy: stored?.uploadedBy ?? null,
        uploadedAt: stored?.uploadedAt ?? null,
        matches: openedSha256 === a.documentSha256,
        problem,
      });
    }
    return checks;
  }

  async history(requestId: string): Promise<{ json: string; source: 'archive' | 'live'; sha256?: string }> {
    if (!(await this.requests.findById(requestId)))
      throw new DomainError('NOT_FOUND', `request ${requestId} not found`);
    const workflowId = workflowIdFor(requestId);
    const archived = await this.archives.get(workflowId);
    if (archived) return { json: archived.json, source: 'archive', sha256: archived.sha256 };
    const live = await this.temporal.historyJson(workflowId);
    if (!live)
      throw new DomainError('NOT_FOUND', `the history of request ${requestId} is neither archived nor in Temporal`);
    return { json: live, source: 'live' };
  }

  async replay(requestId: string) {
    const { json, source } = await this.history(requestId);
    const history: unknown = JSON.parse(json);
    const result = await this.replayer.replay(history, workflowIdFor(requestId));
    const trail = await rebuildTrail(history, this.codec);
    const stored = (await this.requests.findById(requestId))!;
    const mismatches = compareWithRecords(trail, stored.request, await this.requests.decisionsFor(requestId));
    return {
      requestId,
      source,
      deterministic: result.deterministic,
      eventCount: result.eventCount,
      error: result.error,
      policyVersion: trail.policyVersion,
      plan: trail.plan?.stages.map((s) => ({ index: s.index, parties: s.parties.map((p) => p.party) })) ?? null,
      decisions: trail.decisions,
      amendments: trail.amendments,
      withdrawal: trail.withdrawal,
      matchesRecords: mismatches.length === 0,
      mismatches,
    };
  }
}

const EVIDENCE_README = `Clearance evidence pack

1. Check the files: sha256sum -c SHA256SUMS
2. history.json is the request's workflow history in Temporal's standard JSON export form.
   Its payloads are encrypted as Temporal stored them; with an auditor's token you can read them
   through the codec server, e.g. by replaying or showing the workflow with the temporal CLI:
     temporal workflow show -w request-<id> --codec-endpoint <clearance>/codec --codec-auth "Bearer <token>"
   or replay the file against the workflow code with: npm run audit -- replay history.json
3. trail.json is the decision trail rebuilt from history.json alone, its replay result, and the
   field-by-field comparison with the database records (record.json): matchesRecords and mismatches.
4. chain-proof.json holds this request's rows of the tamper-evident audit log: each row's hash
   covers the previous row's hash, and the head is the hash of the whole log when the pack was made.
   Compare the head with one exported earlier; GET /api/audit/chain/verify re-checks the chain.
5. code-version.json names the SHA-256 of the workflow code the replay ran against.
6. documents.json checks each external authorization's decision document and each material's file: the SHA-256 recorded in
   the history and the view, and the SHA-256 of the stored (encrypted) file once opened; matches
   is true when they agree. The files themselves are not in the pack.
`;
