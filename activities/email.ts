import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { renderEmail, type TemplateData, type TemplateName } from '../src/emails';
import type { Deps } from '../src/infra/deps';

export interface SendEmailInput<T extends TemplateName = TemplateName> {
  /** What the email is about, e.g. `booking-<id>`; with template and recipient it is the dedupe key. */
  reference: string;
  template: T;
  to: string;
  data: TemplateData<T>;
}

export function emailActivities(deps: Pick<Deps, 'db' | 'mailer' | 'cfg'>) {
  return {
    /**
     * Sends once per (reference, template, recipient). The row is claimed before sending and marked
     * sent after; a retry finds it sent and does nothing. Only a crash between the SMTP server's
     * acceptance and the update can repeat a message, and then the Message-ID is the same.
     */
    async sendEmail(input: SendEmailInput): Promise<{ sent: boolean; messageId: string }> {
      const key = { reference: input.reference, template: input.template, recipient: input.to.toLowerCase() };
      const messageId = `<${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32)}@coachflow>`;
      const row = await deps.db.emailDelivery.upsert({
        where: { reference_template_recipient: key },
        create: { ...key, messageId },
        update: {},
      });
      if (row.sentAt) return { sent: false, messageId: row.messageId };
      let rendered;
      try {
        rendered = renderEmail(input.template, input.data as never);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(
          `email template ${input.template} failed: ${(err as Error).message}`,
          'EmailTemplateError',
        );
      }
      await deps.mailer.sendMail({
        from: deps.cfg.MAIL_FROM,
        to: input.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        attachments: rendered.attachments,
        icalEvent: rendered.icalEvent,
      });
      await deps.db.emailDelivery.update({
        where: { reference_template_recipient: key },
        data: { sentAt: new Date(), subject: rendered.subject },
      });
      return { sent: true, messageId };
    },
  };
}
