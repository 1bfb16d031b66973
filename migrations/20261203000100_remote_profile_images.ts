// Remote avatars and headers are copied here (issue 6: remote media through
// our own pipeline). `avatar_path`/`header_path` already hold the stored
// file; these columns remember which remote URL that file (or the refusal
// to store one) was made from, so a changed picture is fetched once and an
// unchanged one never again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('avatar_source_url').nullable();
    t.text('header_source_url').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('header_source_url');
    t.dropColumn('avatar_source_url');
  });
}
