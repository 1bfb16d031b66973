// Local and remote actors, local logins, OAuth apps/tokens/codes, web sessions, invites.
import type { Knex } from 'knex';
import { idPrimary, ref, time, timestamps } from './lib/columns.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    idPrimary(knex, t);
    t.string('username', 64).notNullable();
    t.string('domain', 255).nullable(); // null for local accounts
    t.string('display_name', 255).notNullable().defaultTo('');
    t.text('note').notNullable().defaultTo(''); // bio as written
    t.text('note_html').notNullable().defaultTo(''); // sanitized HTML
    t.text('avatar_path').nullable();
    t.text('header_path').nullable();
    t.text('avatar_remote_url').nullable();
    t.text('header_remote_url').nullable();
    t.boolean('locked').notNullable().defaultTo(false);
    t.boolean('discoverable').notNullable().defaultTo(true);
    t.boolean('hide_collections').notNullable().defaultTo(false);
    t.boolean('bot').notNullable().defaultTo(false);
    t.string('actor_type', 32).notNullable().defaultTo('Person');
    t.text('fields').notNullable().defaultTo('[]'); // JSON [{name, value, verified_at}]
    t.text('uri').nullable().unique(); // ActivityPub id; null for local (derived from the public URL)
    t.text('url').nullable();
    t.text('inbox_url').nullable();
    t.text('shared_inbox_url').nullable();
    t.text('outbox_url').nullable();
    t.text('followers_url').nullable();
    t.text('following_url').nullable();
    t.text('featured_url').nullable();
    t.text('also_known_as').notNullable().defaultTo('[]');
    t.bigInteger('moved_to_account_id').nullable();
    t.integer('followers_count').notNullable().defaultTo(0);
    t.integer('following_count').notNullable().defaultTo(0);
    t.integer('posts_count').notNullable().defaultTo(0);
    time(t, 'last_post_at').nullable();
    time(t, 'suspended_at').nullable();
    time(t, 'silenced_at').nullable();
    time(t, 'fetched_at').nullable(); // remote: when the actor document was last refreshed
    timestamps(t);
  });
  // Usernames are unique case-insensitively per domain (Mastodon's rule); '' stands for local.
  await knex.raw("CREATE UNIQUE INDEX accounts_acct_unique ON accounts (lower(username), coalesce(lower(domain), ''))");
  await knex.schema.alterTable('accounts', (t) => t.index(['domain'], 'accounts_domain_index'));

  await knex.schema.createTable('account_keys', (t) => {
    ref(t, 'account_id', 'accounts');
    t.string('algorithm', 32).notNullable(); // RSASSA-PKCS1-v1_5 | Ed25519
    t.text('public_key').notNullable(); // JWK JSON
    t.text('private_key').nullable(); // JWK JSON, local accounts only
    time(t, 'created_at').notNullable();
    t.primary(['account_id', 'algorithm']);
  });

  await knex.schema.createTable('users', (t) => {
    idPrimary(knex, t);
    ref(t, 'account_id', 'accounts').unique();
    t.string('email', 320).nullable();
    t.text('password_hash').nullable();
    t.string('role', 16).notNullable().defaultTo('user'); // user | moderator | admin
    t.boolean('approved').notNullable().defaultTo(false);
    t.text('sign_up_reason').nullable();
    t.string('locale', 16).nullable();
    t.text('otp_secret').nullable();
    t.text('otp_recovery_codes').nullable(); // JSON array of hashes
    t.bigInteger('invite_id').nullable();
    time(t, 'confirmed_at').nullable();
    time(t, 'disabled_at').nullable();
    time(t, 'last_sign_in_at').nullable();
    timestamps(t);
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');

  await knex.schema.createTable('invites', (t) => {
    idPrimary(knex, t);
    t.string('code', 64).notNullable().unique();
    ref(t, 'created_by_user_id', 'users');
    t.integer('max_uses').nullable();
    t.integer('uses').notNullable().defaultTo(0);
    time(t, 'expires_at').nullable();
    time(t, 'revoked_at').nullable();
    time(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('oauth_apps', (t) => {
    idPrimary(knex, t);
    t.string('name', 255).notNullable();
    t.text('website').nullable();
    t.text('redirect_uris').notNullable(); // newline-separated, exact match
    t.text('scopes').notNullable();
    t.string('client_id', 64).notNullable().unique();
    t.text('client_secret_hash').notNullable();
    ref(t, 'owner_user_id', 'users', 'SET NULL');
    time(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('oauth_codes', (t) => {
    idPrimary(knex, t);
    t.string('code_hash', 128).notNullable().unique();
    ref(t, 'app_id', 'oauth_apps');
    ref(t, 'user_id', 'users');
    t.text('redirect_uri').notNullable();
    t.text('scopes').notNullable();
    t.text('code_challenge').nullable();
    t.string('code_challenge_method', 16).nullable();
    time(t, 'expires_at').notNullable();
    time(t, 'used_at').nullable();
    time(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('oauth_tokens', (t) => {
    idPrimary(knex, t);
    ref(t, 'app_id', 'oauth_apps');
    ref(t, 'user_id', 'users', 'SET NULL'); // null for client_credentials tokens
    t.string('token_hash', 128).notNullable().unique();
    t.string('refresh_token_hash', 128).nullable().unique();
    t.text('scopes').notNullable();
    time(t, 'expires_at').nullable();
    time(t, 'revoked_at').nullable();
    time(t, 'last_used_at').nullable();
    time(t, 'created_at').notNullable();
    t.index(['user_id'], 'oauth_tokens_user_index');
  });

  await knex.schema.createTable('sessions', (t) => {
    idPrimary(knex, t);
    ref(t, 'user_id', 'users');
    t.string('token_hash', 128).notNullable().unique();
    t.text('ip').nullable();
    t.text('user_agent').nullable();
    time(t, 'expires_at').notNullable();
    time(t, 'created_at').notNullable();
    t.index(['user_id'], 'sessions_user_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sessions', 'oauth_tokens', 'oauth_codes', 'oauth_apps', 'invites', 'users', 'account_keys', 'accounts']) {
    await knex.schema.dropTable(table);
  }
}
