// The media pipeline (issue 4): an upload is kept under a private storage key
// until the `media.process` job has rendered its variants, then removed (it
// may hold GPS EXIF). Indexes for the orphan cleanup and pinned posts. A user
// may keep camera info (make, model, exposure; never the location) in their
// photos; each upload remembers the choice made when it was uploaded.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('media', (t) => {
    t.text('upload_key').nullable(); // private key of the raw upload; null once processed or failed
    t.boolean('keep_camera_info').notNullable().defaultTo(false);
    t.index(['post_id', 'created_at'], 'media_orphan_index'); // the 24-hour orphan cleanup
  });
  await knex.schema.alterTable('posts', (t) => {
    t.index(['account_id', 'pinned_at'], 'posts_pinned_index');
  });
  await knex.schema.alterTable('users', (t) => {
    t.boolean('keep_camera_info').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('keep_camera_info');
  });
  await knex.schema.alterTable('posts', (t) => {
    t.dropIndex(['account_id', 'pinned_at'], 'posts_pinned_index');
  });
  await knex.schema.alterTable('media', (t) => {
    t.dropIndex(['post_id', 'created_at'], 'media_orphan_index');
    t.dropColumn('upload_key');
    t.dropColumn('keep_camera_info');
  });
}
