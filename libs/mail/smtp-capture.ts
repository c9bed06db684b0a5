import { simpleParser } from 'mailparser';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  id: string;
  messageId: string | null;
  to: string[];
  subject: string;
  text: string;
  html: string;
  links: string[];
  receivedAt: string;
}

const LINK = /https?:\/\/[^\s<>"')]+/g;

/**
 * A real SMTP server that keeps what it receives in memory, for development and tests
 * (`GET /dev/mailbox`). Never started in production.
 */
export class SmtpCapture {
  private readonly mails: CapturedMail[] = [];
  private server?: SMTPServer;
  private readonly capacity: number;

  constructor(options: { capacity?: number } = {}) {
    this.capacity = options.capacity ?? 5000;
  }

  async start(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
            const text = parsed.text ?? '';
            const html = typeof parsed.html === 'string' ? parsed.html : '';
            this.mails.unshift({
              id: randomUUID(),
              messageId: parsed.messageId ?? null,
              to: recipients,
              subject: parsed.subject ?? '',
              text,
              html,
              links: [...new Set(text.match(LINK) ?? [])],
              receivedAt: new Date().toISOString(),
            });
            this.mails.length = Math.min(this.mails.length, this.capacity);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.server.address() as AddressInfo).port;
  }

  /** Newest first; optionally only mails to one address. */
  list(to?: string): CapturedMail[] {
    const wanted = to?.trim().toLowerCase();
    return wanted ? this.mails.filter((m) => m.to.includes(wanted)) : [...this.mails];
  }

  clear(): void {
    this.mails.length = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
