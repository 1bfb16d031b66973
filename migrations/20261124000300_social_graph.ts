// Follows, follow requests, blocks, mutes, close friends, likes, bookmarks, saved collections.
import type { Knex } from 'knex';
import { idPrimary, ref, time } from './lib/columns.ts';

/** An (account → target account) relation, unique per pair, findable from the target side. */
function relation(knex: Knex, name: string, extra: (t: Knex.CreateTableBuilder) => void = () => {}) {
  return knex.schema.createTable(name, (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'target_account_id', 'accounts');
    extra(t);
    time(t, 'created_at').notNullable();
    t.unique(['account_id', 'target_account_id']);
    t.index(['target_account_id', 'id'], `${name}_target_index`);
  });
}

export async function up(knex: Knex): Promise<void> {
  await relation(knex, 'follows', (t) => {
    t.boolean('show_reblogs').notNullable().defaultTo(true);
    t.boolean('notify').notNullable().defaultTo(false);
    t.text('uri').nullable().unique(); // the Follow activity id
  });
  await relation(knex, 'follow_requests', (t) => {
    t.boolean('show_reblogs').notNullable().defaultTo(true);
    t.boolean('notify').notNullable().defaultTo(false);
    t.text('uri').nullable().unique();
  });
  await relation(knex, 'blocks', (t) => {
    t.text('uri').nullable().unique();
  });
  await relation(knex, 'mutes', (t) => {
    t.boolean('hide_notifications').notNullable().defaultTo(true);
    time(t, 'expires_at').nullable();
  });
  await relation(knex, 'close_friends');

  await knex.schema.createTable('likes', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'post_id', 'posts');
    t.text('uri').nullable().unique();
    time(t, 'created_at').notNullable();
    t.unique(['account_id', 'post_id']);
    t.index(['post_id', 'id'], 'likes_post_index');
  });

  await knex.schema.createTable('bookmarks', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'post_id', 'posts');
    time(t, 'created_at').notNullable();
    t.unique(['account_id', 'post_id']);
  });

  await knex.schema.createTable('collections', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    t.string('name', 255).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('visibility', 16).notNullable().defaultTo('private');
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    t.index(['account_id', 'id'], 'collections_account_index');
  });

  await knex.schema.createTable('collection_items', (t) => {
    ref(t, 'collection_id', 'collections');
    ref(t, 'post_id', 'posts');
    t.integer('position').notNullable().defaultTo(0);
    time(t, 'created_at').notNullable();
    t.primary(['collection_id', 'post_id']);
    t.index(['post_id'], 'collection_items_post_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['collection_items', 'collections', 'bookmarks', 'likes', 'close_friends', 'mutes', 'blocks', 'follow_requests', 'follows']) {
    await knex.schema.dropTable(table);
  }
}
