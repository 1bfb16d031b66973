// `viewfinder migrate [latest|rollback|status]`: the schema by hand. The
// server and the other commands apply pending migrations on their own; this is
// for upgrades done step by step and for undoing one.
import { Argument, type Command } from 'commander';
import { openDatabase } from '../../db/knex.ts';
import { migrateLatest, migrateRollback, migrationStatus } from '../../db/migrate.ts';
import type { CliContext } from './common.ts';

export function registerMigrateCommand(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('apply, undo or list database migrations')
    .addArgument(new Argument('[action]', 'latest: apply pending; rollback: undo the last batch; status: list both').choices(['latest', 'rollback', 'status']).default('latest'))
    .option('--all', 'with rollback: undo every batch, leaving an empty database')
    .action(async (action: 'latest' | 'rollback' | 'status', options: { all?: boolean }, command: Command) => {
      if (options.all && action !== 'rollback') command.error('error: --all only applies to `migrate rollback`');
      const { io } = context;
      const config = await context.loadConfig();
      const db = openDatabase(config.database, { poolMax: 1 });
      try {
        if (action === 'status') {
          const { completed, pending } = await migrationStatus(db);
          io.out(`Completed (${completed.length}):`);
          for (const name of completed) io.out(`  ${name}`);
          io.out(`Pending (${pending.length}):`);
          for (const name of pending) io.out(`  ${name}`);
          return;
        }
        if (action === 'latest') {
          io.err('Applying pending migrations…');
          const applied = await migrateLatest(db);
          for (const name of applied) io.out(`applied  ${name}`);
          io.err(applied.length ? `Applied ${applied.length} migration(s).` : 'Already up to date.');
          return;
        }
        io.err(options.all ? 'Undoing every migration…' : 'Undoing the last batch of migrations…');
        const undone = await migrateRollback(db, options.all ?? false);
        for (const name of undone) io.out(`undone   ${name}`);
        io.err(undone.length ? `Undid ${undone.length} migration(s).` : 'Nothing to undo.');
      } finally {
        await db.destroy();
      }
    });
}
