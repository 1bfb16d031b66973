// `viewfinder jobs …`: look into the durable queue and deal with dead jobs
// (those that failed their last attempt; DESIGN.md rule 9).
import { Option, type Command } from 'commander';
import { listJobs, purgeDeadJobs, retryJobs, type JobRow } from '../../jobs/admin.ts';
import { databaseHelp, formatTable, integerIn, isoTime, withDatabase, type CliContext } from './common.ts';

const DAY_MS = 24 * 3600_000;
const jobStates: JobRow['state'][] = ['queued', 'running', 'dead'];

export function registerJobsCommands(program: Command, context: CliContext): void {
  const jobs = program.command('jobs').description('inspect the job queue, retry or purge dead jobs');
  const { io } = context;

  jobs
    .command('list')
    .description('list jobs, highest priority and soonest due first (with --state dead: most recently dead first)')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(jobStates))
    .option('--type <type>', 'only jobs of this type')
    .option('--limit <n>', 'at most this many', integerIn(1), 50)
    .option('--json', 'print JSON (payloads included) instead of a table')
    .action(async (options: { state?: JobRow['state']; type?: string; limit: number; json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const rows = await listJobs(db, { state: options.state, type: options.type, limit: options.limit });
        if (options.json) return io.out(JSON.stringify(rows, null, 2));
        if (!rows.length) return io.err('No jobs match.');
        io.out(
          formatTable(
            ['id', 'type', 'state', 'attempts', 'run at', 'last error'],
            rows.map((job) => [job.id, job.type, job.state, `${job.attempts}/${job.maxAttempts ?? "-"}`, isoTime(job.runAt), firstLine(job.lastError)]),
          ),
        );
      });
    });

  jobs
    .command('retry')
    .description('queue dead jobs again, attempts reset to zero')
    .argument('[ids...]', 'ids of dead jobs', (value: string, previous: number[] | undefined) => [...(previous ?? []), integerIn(1)(value)])
    .option('--all-dead', 'every dead job')
    .action(async (ids: number[] | undefined, options: { allDead?: boolean }, command: Command) => {
      if (!ids?.length && !options.allDead) command.error('error: give the ids of dead jobs, or --all-dead');
      if (ids?.length && options.allDead) command.error('error: give either job ids or --all-dead, not both');
      await withDatabase(context, async (db) => {
        const count = await retryJobs(db, options.allDead ? { allDead: true } : { ids });
        io.out(`Requeued ${count} job(s).`);
        if (ids?.length && count < ids.length) io.err(`${ids.length - count} of the given id(s) were not dead jobs and were left alone.`);
      });
    });

  jobs
    .command('purge-dead')
    .description('delete dead jobs')
    .option('--older-than-days <n>', 'only those dead for at least this many days', integerIn(0))
    .action(async (options: { olderThanDays?: number }) => {
      await withDatabase(context, async (db) => {
        const count = await purgeDeadJobs(db, options.olderThanDays === undefined ? {} : { olderThanMs: options.olderThanDays * DAY_MS });
        io.out(`Deleted ${count} dead job(s).`);
      });
    });

  for (const command of [jobs, ...jobs.commands]) command.addHelpText('after', databaseHelp);
}

/** The first line of an error, cut to fit a table row. */
function firstLine(text: string | null): string | null {
  if (text === null) return null;
  const line = text.split('\n', 1)[0]!;
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
