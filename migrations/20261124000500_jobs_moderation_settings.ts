// The durable job queue, Fedify's key-value store, moderation and instance settings.
import type { Knex } from 'knex';
import { idPrimary, ref, time } from './lib/columns.ts';

export async function up(knex: Knex): Promise<void> {
  // Finished jobs are deleted; dead ones stay for the CLI and admin panel.
  await knex.schema.createTable('jobs', (t) => {
    idPrimary(knex, t);
    t.string('type', 64).notNullable();
    t.text('payload').notNullable(); // JSON
    t.string('state', 16).notNullable().defaultTo('queued'); // queued | running | dead
    t.integer('priority').notNullable().defaultTo(0); // higher runs first
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').nullable(); // per job; else the job type's; else 10
    // While a job waits, a second enqueue with the same key is a no-op; cleared when it ends.
    t.string('dedupe_key', 255).nullable().unique();
    t.string('locked_by', 128).nullable();
    t.text('last_error').nullable();
    time(t, 'run_at').notNullable();
    time(t, 'lease_until').nullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    // Claiming reads due queued jobs by priority then time; expired leases by lease_until.
    t.index(['state', knex.raw('priority desc') as unknown as string, 'run_at', 'id'], 'jobs_claim_index');
    t.index(['state', 'lease_until'], 'jobs_lease_index');
  });

  await knex.schema.createTable('kv', (t) => {
    t.text('key').primary(); // JSON-encoded key path (remote URLs can be long)
    t.text('value').notNullable(); // JSON
    time(t, 'expires_at').nullable();
    t.index(['expires_at'], 'kv_expires_index');
  });

  await knex.schema.createTable('reports', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts'); // reporter (a remote instance actor for Flag)
    ref(t, 'target_account_id', 'accounts');
    t.text('post_ids').notNullable().defaultTo('[]');
    t.text('comment').notNullable().defaultTo('');
    t.string('category', 32).notNullable().defaultTo('other');
    t.text('rule_ids').notNullable().defaultTo('[]');
    t.boolean('forwarded').notNullable().defaultTo(false);
    t.text('uri').nullable().unique();
    ref(t, 'resolved_by_account_id', 'accounts', 'SET NULL');
    time(t, 'resolved_at').nullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    t.index(['resolved_at', 'id'], 'reports_open_index');
  });

  await knex.schema.createTable('domain_blocks', (t) => {
    idPrimary(knex, t);
    t.string('domain', 255).notNullable().unique();
    t.string('severity', 16).notNullable(); // suspend | silence | noop
    t.boolean('reject_media').notNullable().defaultTo(false);
    t.boolean('reject_reports').notNullable().defaultTo(false);
    t.text('private_comment').nullable();
    t.text('public_comment').nullable();
    time(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('instance_settings', (t) => {
    t.string('key', 128).primary();
    t.text('value').notNullable(); // JSON
    time(t, 'updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['instance_settings', 'domain_blocks', 'reports', 'kv', 'jobs']) {
    await knex.schema.dropTable(table);
  }
}
