// `viewfinder admin account …`: local accounts from the shell, for the first
// admin of a new instance and for when the web panel is out of reach.
import { Option, type Command } from 'commander';
import { userRoles, type UserRole } from '../../db/users.repo.ts';
import { createLocalAccount, demote, listLocalUsers, promote, resetPassword, suspend, unsuspend } from '../../services/accounts/admin-accounts.service.ts';
import { approveAccount, rejectAccount } from '../../services/accounts/registration-review.service.ts';
import { registerRegistrationCommands } from './admin-registrations.ts';
import { registerPasswordGrantCommand } from './admin-password-grant.ts';
import { databaseHelp, formatTable, integerIn, isoTime, withDatabase, type CliContext } from './common.ts';

export function registerAdminCommands(program: Command, context: CliContext): void {
  const admin = program.command('admin').description('administer the instance');
  const account = admin.command('account').description('manage local accounts');
  const { io } = context;

  account
    .command('create')
    .description('create a local account, confirmed and approved; prints a generated password unless --password is given')
    .argument('<username>', 'letters, numbers and underscores, at most 30')
    .option('--email <email>', 'e-mail address for sign-in and notices')
    .option('--password <password>', 'initial password (at least 8 characters); beware: visible in shell history and process lists')
    .addOption(new Option('--role <role>', 'role of the new user').choices(userRoles).default('user'))
    .action(async (username: string, options: { email?: string; password?: string; role: UserRole }) => {
      await withDatabase(context, async (db) => {
        const created = await createLocalAccount(db, { username, email: options.email, password: options.password, role: options.role });
        io.out(`Created ${created.account.username} (id ${created.account.id}, role ${created.user.role}).`);
        // Shown once, on stdout so a script can capture it; never logged.
        if (created.generatedPassword) io.out(`New password: ${created.generatedPassword}`);
      });
    });

  account
    .command('list')
    .description('list local accounts, oldest first')
    .addOption(new Option('--role <role>', 'only users with this role').choices(userRoles))
    .option('--limit <n>', 'at most this many', integerIn(1), 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { role?: UserRole; limit: number; json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const users = await listLocalUsers(db, { role: options.role, limit: options.limit });
        if (options.json) return io.out(JSON.stringify(users, null, 2));
        if (!users.length) return io.err('No accounts match.');
        io.out(formatTable(['id', 'username', 'email', 'role', 'state', 'created'], users.map((u) => [u.accountId, u.username, u.email, u.role, u.state, isoTime(u.createdAt)])));
      });
    });

  account
    .command('promote')
    .description('raise a role one step: user → moderator → admin')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        const { previous, role } = await promote(db, username);
        io.out(`${username}: ${previous} → ${role}`);
      });
    });

  account
    .command('demote')
    .description('lower a role one step: admin → moderator → user')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        const { previous, role } = await demote(db, username);
        io.out(`${username}: ${previous} → ${role}`);
      });
    });

  account
    .command('suspend')
    .description('suspend a local account: no sign-in, no API access')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        io.out((await suspend(db, username)) ? `Suspended ${username}.` : `${username} was already suspended.`);
      });
    });

  account
    .command('unsuspend')
    .description('lift the suspension of a local account')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        io.out((await unsuspend(db, username)) ? `Unsuspended ${username}.` : `${username} was not suspended.`);
      });
    });

  account
    .command('reset-password')
    .description('set a new generated password and sign the user out everywhere (tokens and sessions deleted)')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        const { password, revoked } = await resetPassword(db, username);
        io.err(`Signed ${username} out: ${revoked.tokens} token(s), ${revoked.sessions} session(s) removed.`);
        io.out(`New password: ${password}`);
      });
    });

  account
    .command('approve')
    .description('approve an account waiting for approval, so it can sign in')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        io.out((await approveAccount(db, username)) ? `Approved ${username}.` : `${username} was already approved.`);
      });
    });

  account
    .command('reject')
    .description('reject an account waiting for approval: it is deleted, freeing its name and address')
    .argument('<username>')
    .action(async (username: string) => {
      await withDatabase(context, async (db) => {
        await rejectAccount(db, username);
        io.out(`Rejected ${username}; the sign-up was deleted.`);
      });
    });

  for (const command of [admin, account, ...account.commands]) command.addHelpText('after', databaseHelp);
  registerRegistrationCommands(admin, context);
  registerPasswordGrantCommand(admin, context);
}
