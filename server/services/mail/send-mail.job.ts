// The `mail.send` job: one message to one address, retried with the queue's
// backoff when the SMTP server is down.
import type { Config } from '../../../config/load.ts';
import type { Queryable } from '../../db/knex.ts';
import { enqueue } from '../../jobs/queue.ts';
import type { JobRegistry } from '../../jobs/registry.ts';
import { getLogger } from '../../logging.ts';
import { createMailer, type MailMessage } from './mailer.ts';

export const SEND_MAIL_JOB = 'mail.send';

/** Queues a message (in the caller's transaction when `db` is one). */
export async function enqueueMail(db: Queryable, message: MailMessage): Promise<void> {
  await enqueue(db, SEND_MAIL_JOB, message, { maxAttempts: 8 });
}

export function registerSendMailJob(registry: JobRegistry, config: Config): void {
  const mailer = createMailer(config);
  const log = getLogger('mail');
  registry.register<MailMessage>(SEND_MAIL_JOB, async (message) => {
    // SMTP was switched off after the job was queued: nothing to send with.
    if (!mailer) return log.warning('Dropping mail "{subject}": no SMTP server is configured', { subject: message.subject });
    await mailer.send(message);
  });
}
