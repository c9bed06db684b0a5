/**
 * A standalone SMTP server for `npm run chaos`, run as its own process so the drill can kill it:
 * `node smtp-sink.js <port> <file>`. Every accepted message is appended to <file> as one JSON line
 * before the server answers 250, so the file counts every delivery the sender could have seen
 * succeed (and a few it may not have: a kill between the write and the 250 makes the sender retry).
 */
import { simpleParser } from 'mailparser';
import * as fs from 'node:fs';
import { SMTPServer } from 'smtp-server';

export interface SinkDelivery {
  messageId: string | null;
  to: string[];
  subject: string;
  links: string[];
  receivedAt: string;
}

const LINK = /https?:\/\/[^\s<>"')]+/g;

function main(): void {
  const [port, file] = process.argv.slice(2);
  if (!port || !file) throw new Error('usage: smtp-sink <port> <file>');
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((parsed) => {
          const delivery: SinkDelivery = {
            messageId: parsed.messageId ?? null,
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            links: [...new Set((parsed.text ?? '').match(LINK) ?? [])],
            receivedAt: new Date().toISOString(),
          };
          fs.appendFileSync(file, `${JSON.stringify(delivery)}\n`);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.on('error', (error) => process.stderr.write(`smtp-sink: ${error.message}\n`));
  server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
