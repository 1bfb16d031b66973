// Outgoing mail over SMTP (nodemailer). Requests never send mail themselves:
// they enqueue a `mail.send` job (send-mail.job.ts), so a dead SMTP server
// delays a confirmation instead of failing a sign-up.
import nodemailer from 'nodemailer';
import type { Config } from '../../../config/load.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Null when no SMTP server is configured (VIEWFINDER_SMTP_URL unset). */
export function createMailer(config: Config): Mailer | null {
  if (!config.smtp) return null;
  const { url, from } = config.smtp;
  const transport = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}
