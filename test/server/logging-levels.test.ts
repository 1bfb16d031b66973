// Log levels: ours as configured, Fedify's one step quieter (it writes a line
// with the whole activity for every delivery at info), its warnings always.
import test from 'ava';
import { getLogger as fedifyLogger } from '@logtape/logtape';
import { configureLogging, getLogger, resetLogging } from '../../server/logging.ts';

async function written(level: 'info' | 'debug', log: () => void): Promise<string> {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await configureLogging({ logLevel: level, logFormat: 'json' });
    log();
  } finally {
    process.stderr.write = original;
    await resetLogging();
  }
  return lines.join('');
}

test.serial('at info, our info lines and Fedify warnings are written, Fedify info lines are not', async (t) => {
  const out = await written('info', () => {
    getLogger('jobs').info('ours at info');
    fedifyLogger(['fedify', 'federation', 'outbox']).info('Successfully sent activity');
    fedifyLogger(['fedify', 'federation', 'outbox']).warning('Failed to send activity');
  });
  t.true(out.includes('ours at info'));
  t.false(out.includes('Successfully sent activity'));
  t.true(out.includes('Failed to send activity'));
});

test.serial('at debug, Fedify info lines are written too', async (t) => {
  const out = await written('debug', () => {
    fedifyLogger(['fedify', 'federation', 'outbox']).info('Successfully sent activity');
    fedifyLogger(['fedify', 'federation', 'outbox']).debug('fedify debug detail');
  });
  t.true(out.includes('Successfully sent activity'));
  t.false(out.includes('fedify debug detail'));
});
