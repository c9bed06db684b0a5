import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { SinkDelivery } from './smtp-sink';

/**
 * The Message-ID the worker gives an email, from its outbox key. Mirrors `messageIdFor` in
 * activities/mail.activities.ts; the verification compares it with the outbox, so a change there
 * shows as a mismatch, not as silent loss.
 */
export function expectedMessageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@clearance>`;
}

/** The outbox key of the first approval email of round 1 (see MailActivities.notifyParty). */
export function approvalKey(requestId: string, party: string, member: string): string {
  return `approval:${requestId}:${party}:1:1:${member}`;
}

/** Reads the SMTP sink's file as it grows (it survives the sink's restarts). */
export class SinkMailbox {
  private offset = 0;
  private rest = '';
  readonly deliveries: SinkDelivery[] = [];
  private readonly byMessageId = new Map<string, SinkDelivery[]>();

  constructor(private readonly file: string) {}

  refresh(): void {
    if (!fs.existsSync(this.file)) return;
    const size = fs.statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    const buffer = Buffer.alloc(size - this.offset);
    fs.readSync(fd, buffer, 0, buffer.length, this.offset);
    fs.closeSync(fd);
    this.offset = size;
    const text = this.rest + buffer.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const delivery = JSON.parse(line) as SinkDelivery;
      this.deliveries.push(delivery);
      const id = delivery.messageId ?? '';
      this.byMessageId.set(id, [...(this.byMessageId.get(id) ?? []), delivery]);
    }
  }

  find(messageId: string): SinkDelivery[] {
    return this.byMessageId.get(messageId) ?? [];
  }
}
