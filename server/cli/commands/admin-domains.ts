// `viewfinder admin domain …`: blocking whole remote instances (Mastodon's
// domain blocks) until the admin panel exists: block (or change a block),
// unblock, list.
import { Option, type Command } from 'commander';
import {
  blockDomain,
  DOMAIN_BLOCK_SEVERITIES,
  listDomainBlocks,
  unblockDomain,
  type BlockDomainResult,
  type DomainBlock,
  type DomainBlockEffects,
  type DomainBlockSeverity,
} from '../../services/moderation/domain-blocks.service.ts';
import { databaseHelp, formatTable, isoTime, withDatabase, type CliContext } from './common.ts';

interface BlockOptions {
  severity?: DomainBlockSeverity;
  rejectMedia?: boolean;
  rejectReports?: boolean;
  privateComment?: string;
  publicComment?: string;
}

const severityHelp = `
Severities:
  suspend  its accounts are suspended: nothing from them is shown or accepted,
           and every follow and follow request between them and local
           accounts is removed (unblocking does not bring those back)
  silence  its accounts are limited and kept off the public timelines;
           their followers still see them; follows stay
  noop     no change to its accounts; use with --reject-media or --reject-reports
A block covers subdomains too: blocking example.com covers media.example.com.
A domain may name a port (127.0.0.1:3002); without one it covers every port.`;

/** Registers under the `admin` group (made by registerAdminCommands, which must run first). */
export function registerDomainBlockCommands(program: Command, context: CliContext): void {
  const admin = program.commands.find((command) => command.name() === 'admin') ?? program.command('admin').description('administer the instance');
  const domains = admin.command('domain').alias('domains').description('block remote instances (domain blocks)');
  const { io } = context;

  domains
    .command('block')
    .description('block a remote domain, or change its block (options not given stay as they were)')
    .argument('<domain>', 'e.g. example.com, https://example.com/ or 127.0.0.1:3002')
    .addOption(new Option('--severity <severity>', 'what the block does to its accounts (default for a new block: suspend)').choices(DOMAIN_BLOCK_SEVERITIES))
    .option('--reject-media', 'fetch no media (avatars, attachments) from it')
    .option('--no-reject-media', 'fetch its media again')
    .option('--reject-reports', 'ignore reports sent from it')
    .option('--no-reject-reports', 'accept its reports again')
    .option('--private-comment <text>', 'a note for moderators (\'\' clears it)')
    .option('--public-comment <text>', 'the reason shown publicly (\'\' clears it)')
    .addHelpText('after', severityHelp)
    .action(async (domain: string, options: BlockOptions) => {
      await withDatabase(context, async (db, config) => {
        const result = await blockDomain(db, {
          domain,
          severity: options.severity,
          rejectMedia: options.rejectMedia,
          rejectReports: options.rejectReports,
          privateComment: options.privateComment,
          publicComment: options.publicComment,
          instanceDomain: config.domain,
        });
        io.out(describeBlock(result));
      });
    });

  domains
    .command('unblock')
    .description('lift the block on a domain, and the suspensions and silences it made')
    .argument('<domain>', 'the domain as listed by `admin domain list`')
    .action(async (domain: string) => {
      await withDatabase(context, async (db) => {
        const { block, effects } = await unblockDomain(db, domain);
        io.out(`Unblocked ${block.domain} (was ${block.severity}).${describeEffects(effects)}`);
      });
    });

  domains
    .command('list')
    .description('list domain blocks, by domain')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const blocks = await listDomainBlocks(db);
        if (options.json) return io.out(JSON.stringify(blocks, null, 2));
        if (!blocks.length) return io.err('No domain blocks.');
        io.out(formatTable(['domain', 'severity', 'media', 'reports', 'created', 'comment'], blocks.map(row)));
      });
    });

  for (const command of [domains, ...domains.commands]) command.addHelpText('after', databaseHelp);
}

function row(block: DomainBlock): (string | null)[] {
  const comments = [block.publicComment && `public: ${block.publicComment}`, block.privateComment && `private: ${block.privateComment}`].filter(Boolean);
  return [
    block.domain,
    block.severity,
    block.rejectMedia ? 'rejected' : 'accepted',
    block.rejectReports ? 'rejected' : 'accepted',
    isoTime(block.createdAt),
    comments.length ? comments.join('; ').replace(/\s+/g, ' ') : null,
  ];
}

function describeBlock({ block, created, previousSeverity, effects }: BlockDomainResult): string {
  const options = [block.rejectMedia && 'media rejected', block.rejectReports && 'reports rejected'].filter(Boolean).join(', ');
  const what = `${block.domain} (${block.severity}${options ? `; ${options}` : ''})`;
  const head = created ? `Blocked ${what}.` : previousSeverity ? `Changed the block on ${what}, was ${previousSeverity}.` : `Updated the block on ${what}.`;
  return head + describeEffects(effects);
}

function describeEffects(effects: DomainBlockEffects): string {
  const parts = [
    effects.suspended && `${effects.suspended} account(s) suspended`,
    effects.unsuspended && `${effects.unsuspended} account(s) unsuspended`,
    effects.silenced && `${effects.silenced} account(s) silenced`,
    effects.unsilenced && `${effects.unsilenced} account(s) unsilenced`,
    effects.followsRemoved && `${effects.followsRemoved} follow(s) removed`,
    effects.requestsRemoved && `${effects.requestsRemoved} follow request(s) removed`,
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(', ')}.` : '';
}
