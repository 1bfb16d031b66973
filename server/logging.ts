// Structured logs through LogTape (the logger Fedify uses), written to stderr so
// that CLI output on stdout stays clean. Categories: ['viewfinder', <area>].
import { configure, getLogger as logtapeLogger, getTextFormatter, jsonLinesFormatter, reset, type Logger, type LogRecord } from '@logtape/logtape';
import type { Config } from '../config/load.ts';
import { AsyncLocalStorage } from 'node:async_hooks';

export type { Logger };

export async function configureLogging(options: Pick<Config, 'logLevel' | 'logFormat'>): Promise<void> {
  const formatter = options.logFormat === 'json' ? jsonLinesFormatter : getTextFormatter({ timestamp: 'date-time-tz', category: '.' });
  await configure({
    reset: true,
    // Fedify keeps per-request log context (ids of the activity and request) here.
    contextLocalStorage: new AsyncLocalStorage(),
    // A plain write, not a stream sink: reconfiguring (tests, reloads) must not close stderr.
    sinks: { stderr: (record: LogRecord) => void process.stderr.write(formatter(record)) },
    loggers: [
      { category: ['viewfinder'], lowestLevel: options.logLevel, sinks: ['stderr'] },
      // Fedify logs a line with the whole activity at info for every delivery
      // and two for every inbox activity (a thousand lines for one post, and
      // measurable CPU): it stays one step quieter than ours, warnings
      // (failed deliveries, refused signatures) always shown.
      { category: ['fedify'], lowestLevel: fedifyLevel(options.logLevel), sinks: ['stderr'] },
      { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: ['stderr'] },
    ],
  });
}

function fedifyLevel(level: Config['logLevel']): Config['logLevel'] {
  if (level === 'trace') return 'debug';
  if (level === 'debug') return 'info';
  if (level === 'info') return 'warning';
  return level;
}

export async function resetLogging(): Promise<void> {
  await reset();
}

export function getLogger(area: string | string[]): Logger {
  return logtapeLogger(['viewfinder', ...(Array.isArray(area) ? area : [area])]);
}
