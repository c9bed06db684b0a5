import type { MetricMeter } from '@temporalio/common';
import { Mailer, type OutgoingMail } from '../mail';

/**
 * The worker's Mailer, counting SMTP sends that succeeded and failed through the Temporal Runtime's
 * metric meter, so they appear with the SDK's metrics on the worker's Prometheus endpoint. Only the
 * counts: no recipient, no subject.
 */
export class MeteredMailer extends Mailer {
  private readonly sent;
  private readonly failed;

  constructor(smtpUrl: string, from: string, meter: MetricMeter) {
    super(smtpUrl, from);
    this.sent = meter.createCounter('clearance_email_sends', '1', 'SMTP sends that the server accepted');
    this.failed = meter.createCounter('clearance_email_send_failures', '1', 'SMTP sends that failed (retried)');
  }

  override async send(mail: OutgoingMail): Promise<string> {
    try {
      const id = await super.send(mail);
      this.sent.add(1);
      return id;
    } catch (error) {
      this.failed.add(1);
      throw error;
    }
  }
}
