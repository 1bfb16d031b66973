// Home feeds (issue 5): hashtags an account follows, whose public posts come
// into its home feed, found from the tag's side when a post fans out; an index
// that walks an account's followers in account order, so that a fan-out batch
// inserts into neighbouring home_feed pages; and one index less on home_feed:
// (account_id, author_account_id) doubled what every fan-out row writes, while
// removing an author from one feed reads that feed on its primary key, which
// trimming keeps to about 800 rows (docs/decisions/0005).
import type { Knex } from 'knex';
import { idPrimary, ref, time } from './lib/columns.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('followed_hashtags', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'hashtag_id', 'hashtags');
    time(t, 'created_at').notNullable();
    t.unique(['account_id', 'hashtag_id']);
    t.index(['account_id', 'id'], 'followed_hashtags_account_index'); // GET /api/v1/followed_tags, newest first
    t.index(['hashtag_id', 'account_id'], 'followed_hashtags_tag_index'); // fan-out: a tag's followers by account cursor
  });
  await knex.schema.alterTable('follows', (t) => {
    t.index(['target_account_id', 'account_id'], 'follows_target_account_index'); // fan-out: an author's followers by account cursor
  });
  await knex.schema.alterTable('home_feed', (t) => {
    t.dropIndex(['account_id', 'author_account_id'], 'home_feed_author_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('home_feed', (t) => {
    t.index(['account_id', 'author_account_id'], 'home_feed_author_index');
  });
  await knex.schema.alterTable('follows', (t) => {
    t.dropIndex(['target_account_id', 'account_id'], 'follows_target_account_index');
  });
  await knex.schema.dropTable('followed_hashtags');
}
