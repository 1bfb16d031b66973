// SQL for `account_keys`: each local actor's RSA (HTTP Signatures) and Ed25519
// (object integrity proofs) key pair, as JWK JSON text. Remote keys are not
// stored here: Fedify caches fetched keys in the kv store.
import type { Queryable } from './knex.ts';

export type KeyAlgorithm = 'RSASSA-PKCS1-v1_5' | 'Ed25519';

export interface StoredKeyPair {
  accountId: number;
  algorithm: KeyAlgorithm;
  publicKey: string;
  privateKey: string | null;
}

export async function findAccountKeys(db: Queryable, accountId: number): Promise<StoredKeyPair[]> {
  const rows = await db('account_keys').where('account_id', accountId).select('account_id', 'algorithm', 'public_key', 'private_key');
  return rows.map((row: Record<string, unknown>) => ({
    accountId: Number(row.account_id),
    algorithm: row.algorithm as KeyAlgorithm,
    publicKey: String(row.public_key),
    privateKey: row.private_key == null ? null : String(row.private_key),
  }));
}

/** Stores key pairs unless the account already has one of that algorithm (a concurrent first use won). */
export async function insertAccountKeys(db: Queryable, keys: StoredKeyPair[], now = Date.now()): Promise<void> {
  if (keys.length === 0) return;
  await db('account_keys')
    .insert(keys.map((k) => ({ account_id: k.accountId, algorithm: k.algorithm, public_key: k.publicKey, private_key: k.privateKey, created_at: now })))
    .onConflict(['account_id', 'algorithm'])
    .ignore();
}
