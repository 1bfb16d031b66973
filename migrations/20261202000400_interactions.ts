// Likes, shares, saves (issue 5): an account's favourites and bookmarks are
// listed newest first by their own id; a share is a posts row with
// reblog_of_id, at most one live share per account and post (a deleted one
// waits for its purge job, so it is left out of the constraint).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('likes', (t) => {
    t.index(['account_id', 'id'], 'likes_account_index');
  });
  await knex.schema.alterTable('bookmarks', (t) => {
    t.index(['account_id', 'id'], 'bookmarks_account_index');
  });
  await knex.schema.alterTable('posts', (t) => {
    t.unique(['account_id', 'reblog_of_id'], {
      indexName: 'posts_reblog_unique',
      useConstraint: false,
      predicate: knex.whereNotNull('reblog_of_id').whereNull('deleted_at'),
    });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('posts', (t) => {
    t.dropIndex(['account_id', 'reblog_of_id'], 'posts_reblog_unique'); // an index, not a constraint
  });
  await knex.schema.alterTable('bookmarks', (t) => {
    t.dropIndex(['account_id', 'id'], 'bookmarks_account_index');
  });
  await knex.schema.alterTable('likes', (t) => {
    t.dropIndex(['account_id', 'id'], 'likes_account_index');
  });
}
