// A Mastodon report about one of our users: Mastodon forwards it as a Flag
// from its instance actor to the reported account's inbox, naming the account
// and the posts. Our moderators find it in `viewfinder admin reports list`,
// once, however often it is delivered.
import test from 'ava';
import type { Config } from '../../config/load.ts';
import { listReportsForReview } from '../../server/services/moderation/review-reports.service.ts';
import { cliFor } from '../helpers/cli.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { photos, post, settle } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { ourPost } from './stub-peer-fixtures.ts';

/** The DATABASE_URL the CLI needs to reach a running instance's database. */
function databaseUrl(config: Config): string {
  const database = config.database;
  if (database.client === 'sqlite') return `sqlite://${database.filename}`;
  const url = new URL(database.connectionString);
  if (database.schema) url.searchParams.set('schema', database.schema);
  return url.toString();
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a Mastodon Flag becomes one report our moderators see`, async (t) => {
    const [instance, mastodon] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon')]);
    const carol = await user(instance, 'carol');
    const reporter = await mastodon.instanceActor();
    const reported = await post(instance, carol, { status: 'Definitely my own photo', visibility: 'public', media_ids: await photos(instance, carol, ['A famous photograph']) });

    const flag = await mastodon.fixture('mastodon-flag', ourPost(instance, 'carol', reported));
    t.is(flag.actor, reporter.id);
    await mastodon.deliver(flag, `${instance.url}/users/carol/inbox`);
    await eventually('the report', async () => (await listReportsForReview(instance.db, { limit: 10 })).length > 0);
    await mastodon.deliver(flag, `${instance.url}/users/carol/inbox`);
    await settle();

    const cli = cliFor({ url: databaseUrl(instance.config), dataDir: instance.config.dataDir });
    const listed = await cli('admin', 'reports', 'list', '--json');
    t.is(listed.code, 0, listed.stderr);
    const reports = JSON.parse(listed.stdout) as { id: string | number; target: string; reporter: string; comment: string; postIds: (string | number)[]; category: string }[];
    t.is(reports.length, 1, 'one report, however often it came');
    const [report] = reports;
    t.regex(report!.target, /^@?carol$/);
    t.true(report!.reporter.includes(mastodon.host), `filed by the Mastodon server's actor: ${report!.reporter}`);
    t.is(report!.comment, String(flag.content));
    t.deepEqual(report!.postIds.map(String), [String(reported.id)]);
    t.is(report!.category, 'other');
  });
}
