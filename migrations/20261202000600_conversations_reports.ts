// Direct messages and reports (issue 5). A conversation started by a direct
// post remembers its first set of participants as a key, unique, so a second
// direct post to the same people finds it, even when two are written at once.
// A report remembers that its author asked to forward it to a remote
// account's server, for the federation work that sends the Flag.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => {
    t.string('participants_key', 64).nullable().unique('conversations_participants_key_unique'); // sha256 hex of the sorted account ids
  });
  await knex.schema.alterTable('reports', (t) => {
    t.boolean('forward_requested').notNullable().defaultTo(false);
    t.index(['target_account_id'], 'reports_target_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reports', (t) => {
    t.dropIndex(['target_account_id'], 'reports_target_index');
    t.dropColumn('forward_requested');
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.dropUnique(['participants_key'], 'conversations_participants_key_unique');
    t.dropColumn('participants_key');
  });
}
