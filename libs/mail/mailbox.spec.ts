import nodemailer from 'nodemailer';
import { RemoteMailbox, serveMailbox } from './mailbox';
import { SmtpCapture } from './smtp-capture';

describe('a standalone capture read over loopback HTTP', () => {
  const capture = new SmtpCapture();
  let smtpPort: number;
  let served: { port: number; close(): Promise<void> };

  beforeAll(async () => {
    smtpPort = await capture.start(0);
    served = await serveMailbox(capture, 0);
  });

  afterAll(async () => {
    await served.close();
    await capture.stop();
  });

  it('should show every API the same mail, filtered by recipient, and clear it for all', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'clearance@example.com',
      to: 'hr@example.com',
      subject: 'Approve',
      text: 'Open http://localhost:3000/approvals/abc.def.ghi to decide',
    });
    await transport.sendMail({ from: 'clearance@example.com', to: 'legal@example.com', subject: 'Other', text: 'x' });
    transport.close();

    const [one, two] = [
      new RemoteMailbox(`http://127.0.0.1:${served.port}`),
      new RemoteMailbox(`http://127.0.0.1:${served.port}`),
    ];
    const seen = await one.list('HR@example.com');
    expect(seen).toEqual([
      expect.objectContaining({
        to: ['hr@example.com'],
        subject: 'Approve',
        links: ['http://localhost:3000/approvals/abc.def.ghi'],
      }),
    ]);
    expect(await two.list('hr@example.com')).toEqual(seen);
    expect(await two.list()).toHaveLength(2);
    await one.clear();
    expect(await two.list()).toEqual([]);
  });

  it('should say which capture failed when it is not there', async () => {
    await expect(new RemoteMailbox('http://127.0.0.1:1').list()).rejects.toThrow();
  });
});
