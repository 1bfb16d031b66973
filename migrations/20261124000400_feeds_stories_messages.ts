// Home feed inboxes, stories, direct-message conversations, notifications, push.
import type { Knex } from 'knex';
import { idPrimary, ref, time } from './lib/columns.ts';

export async function up(knex: Knex): Promise<void> {
  // One row per (reader, post): fan-out on write fills it, the home timeline reads
  // it with one range scan on the primary key (account_id, post_id DESC).
  await knex.schema.createTable('home_feed', (t) => {
    ref(t, 'account_id', 'accounts');
    ref(t, 'post_id', 'posts');
    t.bigInteger('author_account_id').notNullable(); // whose post (or share) put it here: unfollow removes by it
    t.string('reason', 16).notNullable().defaultTo('follow'); // follow | self | hashtag | mention
    t.primary(['account_id', 'post_id']);
    t.index(['account_id', 'author_account_id'], 'home_feed_author_index');
    t.index(['post_id'], 'home_feed_post_index');
  });

  await knex.schema.createTable('stories', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'media_id', 'media', 'SET NULL');
    t.string('audience', 16).notNullable().defaultTo('followers'); // public | followers | close_friends
    t.text('caption').notNullable().defaultTo('');
    t.text('uri').nullable().unique();
    time(t, 'expires_at').notNullable();
    time(t, 'deleted_at').nullable();
    time(t, 'created_at').notNullable();
    t.index(['account_id', 'id'], 'stories_account_index');
    t.index(['expires_at'], 'stories_expiry_index');
  });

  await knex.schema.createTable('story_views', (t) => {
    ref(t, 'story_id', 'stories');
    ref(t, 'account_id', 'accounts');
    time(t, 'created_at').notNullable();
    t.primary(['story_id', 'account_id']);
  });

  await knex.schema.createTable('conversations', (t) => {
    idPrimary(knex, t);
    t.bigInteger('last_post_id').nullable();
    t.text('uri').nullable().unique(); // ActivityPub `context`/`conversation` when known
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('conversation_members', (t) => {
    ref(t, 'conversation_id', 'conversations');
    ref(t, 'account_id', 'accounts');
    t.boolean('unread').notNullable().defaultTo(false);
    t.boolean('hidden').notNullable().defaultTo(false); // deleted from this member's list
    t.bigInteger('last_post_id').nullable();
    t.primary(['conversation_id', 'account_id']);
    t.index(['account_id', 'last_post_id'], 'conversation_members_account_index');
  });

  await knex.schema.createTable('notifications', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts'); // recipient
    ref(t, 'from_account_id', 'accounts');
    t.string('type', 32).notNullable();
    ref(t, 'post_id', 'posts', 'SET NULL');
    t.string('dedupe_key', 255).nullable().unique(); // makes repeated deliveries one notification
    time(t, 'created_at').notNullable();
    t.index(['account_id', 'id'], 'notifications_account_index');
  });

  await knex.schema.createTable('markers', (t) => {
    ref(t, 'account_id', 'accounts');
    t.string('timeline', 16).notNullable(); // home | notifications
    t.bigInteger('last_read_id').notNullable();
    t.integer('version').notNullable().defaultTo(0);
    time(t, 'updated_at').notNullable();
    t.primary(['account_id', 'timeline']);
  });

  await knex.schema.createTable('push_subscriptions', (t) => {
    idPrimary(knex, t);
    ref(t, 'token_id', 'oauth_tokens').unique();
    t.text('endpoint').notNullable();
    t.text('p256dh').notNullable();
    t.text('auth').notNullable();
    t.text('alerts').notNullable().defaultTo('{}');
    t.string('policy', 16).notNullable().defaultTo('all');
    time(t, 'created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['push_subscriptions', 'markers', 'notifications', 'conversation_members', 'conversations', 'story_views', 'stories', 'home_feed']) {
    await knex.schema.dropTable(table);
  }
}
