// Posts (local and remote; comments are replies, shares are reblog rows), media,
// edit history, hashtags and mentions.
import type { Knex } from 'knex';
import { idPrimary, ref, time, timestamps } from './lib/columns.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('posts', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    t.string('kind', 16).notNullable(); // photo | video | carousel | reel | text
    t.text('caption').notNullable().defaultTo(''); // as written (local) or as received
    t.text('caption_html').notNullable().defaultTo(''); // sanitized HTML
    t.text('spoiler_text').notNullable().defaultTo('');
    t.boolean('sensitive').notNullable().defaultTo(false);
    t.string('visibility', 16).notNullable(); // public | unlisted | private | direct
    t.string('language', 16).nullable();
    t.text('location_name').nullable();
    t.double('latitude').nullable();
    t.double('longitude').nullable();
    t.bigInteger('in_reply_to_id').nullable(); // no FK: a remote parent may be unknown or gone
    t.bigInteger('in_reply_to_account_id').nullable();
    t.text('in_reply_to_uri').nullable();
    t.bigInteger('reblog_of_id').nullable().references('id').inTable('posts').onDelete('CASCADE');
    t.bigInteger('conversation_id').nullable();
    t.bigInteger('application_id').nullable();
    t.boolean('comments_enabled').notNullable().defaultTo(true);
    t.boolean('hide_like_count').notNullable().defaultTo(false);
    t.integer('likes_count').notNullable().defaultTo(0);
    t.integer('comments_count').notNullable().defaultTo(0);
    t.integer('reblogs_count').notNullable().defaultTo(0);
    t.text('uri').nullable().unique(); // ActivityPub id; null for local (derived)
    t.text('url').nullable();
    time(t, 'pinned_at').nullable();
    time(t, 'archived_at').nullable();
    time(t, 'edited_at').nullable();
    time(t, 'deleted_at').nullable();
    timestamps(t);
    t.index(['account_id', 'id'], 'posts_account_id_index'); // profile grid, newest first
    t.index(['in_reply_to_id'], 'posts_in_reply_to_index'); // threads
    t.index(['reblog_of_id'], 'posts_reblog_of_index');
    t.index(['visibility', 'id'], 'posts_visibility_id_index'); // public timelines
    t.index(['conversation_id', 'id'], 'posts_conversation_index');
  });

  await knex.schema.createTable('media', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts');
    ref(t, 'post_id', 'posts', 'SET NULL'); // null until attached; orphans are cleaned up by a job
    t.integer('position').notNullable().defaultTo(0); // order within a carousel
    t.string('kind', 16).notNullable(); // image | video | gifv | audio | unknown
    t.string('state', 16).notNullable(); // pending | processing | ready | failed
    t.text('error').nullable();
    t.string('mime_type', 64).nullable();
    t.bigInteger('file_size').nullable();
    t.text('original_path').nullable();
    t.text('variants').notNullable().defaultTo('{}'); // JSON {large, small, thumbnail, ...}
    t.text('remote_url').nullable();
    t.integer('width').nullable();
    t.integer('height').nullable();
    t.double('duration').nullable();
    t.string('blurhash', 128).nullable();
    t.double('focus_x').notNullable().defaultTo(0);
    t.double('focus_y').notNullable().defaultTo(0);
    t.text('description').nullable(); // alt text
    time(t, 'processed_at').nullable();
    timestamps(t);
    t.index(['post_id', 'position'], 'media_post_index');
    t.index(['account_id'], 'media_account_index');
    t.index(['state', 'created_at'], 'media_state_index');
  });

  await knex.schema.createTable('post_edits', (t) => {
    idPrimary(knex, t);
    ref(t, 'post_id', 'posts');
    t.text('caption').notNullable();
    t.text('caption_html').notNullable();
    t.text('spoiler_text').notNullable().defaultTo('');
    t.boolean('sensitive').notNullable().defaultTo(false);
    t.text('media').notNullable().defaultTo('[]'); // JSON snapshot of attachments (id, description, focus)
    t.text('location_name').nullable();
    time(t, 'created_at').notNullable();
    t.index(['post_id', 'id'], 'post_edits_post_index');
  });

  await knex.schema.createTable('hashtags', (t) => {
    idPrimary(knex, t);
    t.string('name', 255).notNullable().unique(); // lower-cased, NFKC
    t.string('display_name', 255).notNullable();
    time(t, 'last_used_at').nullable();
    time(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('post_hashtags', (t) => {
    ref(t, 'post_id', 'posts');
    ref(t, 'hashtag_id', 'hashtags');
    t.primary(['post_id', 'hashtag_id']);
    t.index(['hashtag_id', 'post_id'], 'post_hashtags_tag_index');
  });

  await knex.schema.createTable('mentions', (t) => {
    idPrimary(knex, t);
    ref(t, 'post_id', 'posts');
    ref(t, 'account_id', 'accounts');
    t.unique(['post_id', 'account_id']);
    t.index(['account_id', 'post_id'], 'mentions_account_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['mentions', 'post_hashtags', 'hashtags', 'post_edits', 'media', 'posts']) {
    await knex.schema.dropTable(table);
  }
}
