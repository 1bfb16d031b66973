// OAuth additions: which authorization code a token came from, so a code that
// is presented twice can take back every token issued from it (RFC 6749
// §4.1.2). Refresh keeps the code id, so the whole chain goes. No foreign key:
// expired codes may be purged while their tokens live on.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth_tokens', (t) => {
    t.bigInteger('code_id').nullable();
    t.index(['code_id'], 'oauth_tokens_code_index');
  });
  await knex.schema.alterTable('oauth_codes', (t) => t.index(['expires_at'], 'oauth_codes_expires_index'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth_codes', (t) => t.dropIndex(['expires_at'], 'oauth_codes_expires_index'));
  await knex.schema.alterTable('oauth_tokens', (t) => {
    t.dropIndex(['code_id'], 'oauth_tokens_code_index');
    t.dropColumn('code_id');
  });
}
