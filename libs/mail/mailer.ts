import nodemailer, { type Transporter } from 'nodemailer';
import type { RenderedMail } from './mail-templates';

export interface OutgoingMail extends RenderedMail {
  to: string;
  messageId: string;
}

/** Sends mail over real SMTP. One pooled transport per process. */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl, { pool: true, maxConnections: 4 } as never);
  }

  async send(mail: OutgoingMail): Promise<string> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    })) as { messageId?: string };
    return info.messageId ?? mail.messageId;
  }

  close(): void {
    this.transport.close();
  }
}
