// Posting defaults (Mastodon's source[privacy|sensitive|language]) as columns
// of users: read with the user on every authenticated request, at no extra query.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('default_privacy', 16).notNullable().defaultTo('public'); // public | unlisted | private | direct
    t.boolean('default_sensitive').notNullable().defaultTo(false);
    t.string('default_language', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('default_privacy');
    t.dropColumn('default_sensitive');
    t.dropColumn('default_language');
  });
}
