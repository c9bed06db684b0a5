import { serveMailbox, SmtpCapture } from '@libs/mail';

/**
 * A standalone SMTP capture for a local topology with several API and worker processes
 * (`npm run start:cluster`): the workers send to its SMTP port, every API's `/dev/mailbox` reads
 * its store over loopback HTTP (SMTP_CAPTURE_URL). Dev only; nothing in production runs it.
 *
 *   node dist/scripts/smtp-capture.js [smtpPort=2525] [httpPort=2526]
 */
async function main(): Promise<void> {
  const [smtpPort, httpPort] = [process.argv[2] ?? '2525', process.argv[3] ?? '2526'].map(Number);
  const capture = new SmtpCapture({ capacity: 100_000 });
  const smtp = await capture.start(smtpPort);
  const mailbox = await serveMailbox(capture, httpPort);
  process.stdout.write(`SMTP capture on 127.0.0.1:${smtp}, mailbox on http://127.0.0.1:${mailbox.port}/mails\n`);
  const stop = async () => {
    await Promise.all([capture.stop(), mailbox.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`smtp capture failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
