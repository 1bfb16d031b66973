// The `mail.send` job delivers over SMTP, to a minimal SMTP server on a loopback port.
import test from 'ava';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../config/load.ts';
import { JobRegistry } from '../../../server/jobs/registry.ts';
import { registerSendMailJob, SEND_MAIL_JOB } from '../../../server/services/mail/send-mail.job.ts';
import { createMailer } from '../../../server/services/mail/mailer.ts';

/** Accepts every message and keeps its envelope and data; no TLS, no auth. */
function smtpSink(): Promise<{ server: Server; port: number; messages: { from: string; to: string[]; data: string }[] }> {
  const messages: { from: string; to: string[]; data: string }[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          current = { from: '', to: [], data: '' };
          socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'MAIL') current.from = line;
        if (verb === 'RCPT') current.to.push(line);
        if (verb === 'DATA') inData = true;
        if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write(verb === 'DATA' ? '354 go on\r\n' : '250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, messages })));
}

const config = (env: Record<string, string>) => loadConfig({ env: { VIEWFINDER_DATA_DIR: '/nonexistent', VIEWFINDER_SECRET_KEY: 'k'.repeat(40), ...env }, cwd: '/', persistSecret: false });

test('the mail.send job delivers the message from the configured sender', async (t) => {
  const sink = await smtpSink();
  t.teardown(() => sink.server.close());
  const registry = new JobRegistry();
  registerSendMailJob(registry, config({ VIEWFINDER_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, VIEWFINDER_SMTP_FROM: 'Photos <noreply@photos.example>' }));
  const job = registry.get(SEND_MAIL_JOB)!;
  await job.handler({ to: 'alice@example.com', subject: 'Hello there', text: 'A link: http://x/y' }, {} as never);
  t.is(sink.messages.length, 1);
  const [message] = sink.messages;
  t.regex(message!.from, /<noreply@photos\.example>/);
  t.regex(message!.to[0]!, /<alice@example\.com>/);
  t.regex(message!.data, /Subject: Hello there/);
  t.regex(message!.data, /A link: http:\/\/x\/y/);
});

test('without SMTP there is no mailer', (t) => {
  t.is(createMailer(config({})), null);
});
