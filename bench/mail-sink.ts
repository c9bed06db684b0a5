import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpCapture } from '@libs/mail';

/** Where the bench's mail goes: a real SMTP server either way; only what it does with a message differs. */
export interface BenchMailbox {
  start(): Promise<number>;
  /** Messages received since the last `clear`. */
  count(): number;
  clear(): void;
  stop(): Promise<void>;
  /** The capture to hand to the API's dev mailbox, when there is one. */
  capture?: SmtpCapture;
}

/**
 * Accepts every message over SMTP and counts it, without parsing MIME or keeping it: the mail
 * server is not part of Clearance, so the bench does not charge its parsing to Clearance's CPU.
 */
export class CountingSink implements BenchMailbox {
  private received = 0;
  private server?: SMTPServer;

  async start(): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          this.received += 1;
          callback();
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.server.address() as AddressInfo).port;
  }

  count(): number {
    return this.received;
  }

  clear(): void {
    this.received = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The development capture (parses and keeps every mail, as `npm start` does): `--capture`. */
export class CaptureMailbox implements BenchMailbox {
  readonly capture = new SmtpCapture({ capacity: 100_000 });

  start(): Promise<number> {
    return this.capture.start(0);
  }

  count(): number {
    return this.capture.list().length;
  }

  clear(): void {
    this.capture.clear();
  }

  stop(): Promise<void> {
    return this.capture.stop();
  }
}
