// The `viewfinder` command line: builds the commander program, runs one
// command and turns every failure into a message on stderr and an exit code.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../config/load.ts';
import { isAppError } from '../errors.ts';
import { registerAdminCommands } from './commands/admin-accounts.ts';
import { registerReportCommands } from './commands/admin-reports.ts';
import { registerDomainBlockCommands } from './commands/admin-domains.ts';
import { createCliContext, type CliContext, type CliIo } from './commands/common.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerServeCommand } from './commands/serve.ts';
import packageJson from '../../package.json' with { type: 'json' };

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function buildProgram(context: CliContext): Command {
  const { io } = context;
  const program: Command = new Command('viewfinder')
    .description('Viewfinder, a federated photo and video sharing server')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    // Subcommands copy these settings when created, so set them first.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    // Commander's text ends in a newline; ours gets one added.
    .configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: (text) => io.err(text.replace(/\n$/, '')) })
    .addHelpText('after', (): string => `\nAll commands:\n${commandTree(program).map((line) => `  ${line}`).join('\n')}`)
    .addHelpText(
      'after',
      `
Configuration comes from VIEWFINDER_* variables, DATABASE_URL and REDIS_URL in
the environment, over config/viewfinder.json (or the file VIEWFINDER_CONFIG
names), exactly as for the server. VIEWFINDER_LOG_LEVEL=debug adds stack traces
to errors.`,
    );
  registerServeCommand(program, context);
  registerMigrateCommand(program, context);
  registerAdminCommands(program, context);
  registerReportCommands(program, context);
  registerDomainBlockCommands(program, context);
  registerJobsCommands(program, context);
  return program;
}

/** Usage lines of every runnable command, group by group (the top-level help only names the groups). */
function commandTree(command: Command, path = command.name()): string[] {
  return command.commands.flatMap((sub) => {
    const subPath = `${path} ${sub.name()}`;
    return sub.commands.length ? commandTree(sub, subPath) : [`${subPath} ${sub.usage()}`];
  });
}

/** Runs one command line (`argv` as in process.argv) and returns the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const context = createCliContext(io);
  try {
    await buildProgram(context).parseAsync(argv);
    return 0;
  } catch (error) {
    return report(error, context);
  }
}

function report(error: unknown, context: CliContext): number {
  const { io } = context;
  // Commander has printed its own message (usage errors) or the help already.
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof ConfigError) {
    io.err(error.message);
    return 1;
  }
  const debug = context.config?.logLevel === 'debug' || context.config?.logLevel === 'trace';
  if (isAppError(error)) io.err(`error: ${error.publicMessage}`);
  else io.err(`error: ${error instanceof Error ? error.message || error.name : String(error)}`);
  if (debug && error instanceof Error) io.err(fullStack(error));
  return 1;
}

function fullStack(error: Error): string {
  let text = error.stack ?? String(error);
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `\nCaused by: ${cause.stack ?? cause.message}`;
  return text;
}

/**
 * Entry point for bin/viewfinder. Exits with the command's code once the event
 * loop drains; if something still holds it open a few seconds later (a leaked
 * handle should not hang a shell script), exits anyway.
 */
export async function run(argv: string[]): Promise<void> {
  const code = await main(argv);
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write('viewfinder: exiting with handles still open\n');
    process.exit(code);
  }, 3000).unref();
}
