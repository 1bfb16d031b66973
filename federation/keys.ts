// Actors' key pairs: an RSA key for HTTP Signatures (what Mastodon verifies)
// and an Ed25519 key for object integrity proofs (FEP-8b32). They are made on
// first need, never in bulk on a request: generating an RSA key costs tens of
// milliseconds, so an existing account gets its keys the first time a server
// asks for its actor or it sends something. Imported keys are cached: parsing
// a JWK on every signature would cost more than the signature.
//
// RSA keys are 2048 bits, as Mastodon makes them, rather than the 4096 of
// Fedify's generateCryptoKeyPair: every delivery is signed, and a 4096-bit
// signature costs about six times the CPU (docs/decisions/0009). Keys made
// before keep their length; both verify everywhere.
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { Db } from '../server/db/knex.ts';
import { findAccountKeys, insertAccountKeys, type KeyAlgorithm, type StoredKeyPair } from '../server/db/account-keys.repo.ts';
import { getKv, casKv } from '../server/db/kv.repo.ts';

const ALGORITHMS: readonly KeyAlgorithm[] = ['RSASSA-PKCS1-v1_5', 'Ed25519'];
const CACHE_SIZE = 2000;
const INSTANCE_KEYS: readonly string[] = ['_viewfinder', 'instance-actor', 'keys'];

const cache = new Map<string, Promise<CryptoKeyPair[]>>();

function remember(key: string, load: () => Promise<CryptoKeyPair[]>): Promise<CryptoKeyPair[]> {
  const hit = cache.get(key);
  if (hit) {
    // Refresh its place: the map's order is the eviction order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const loading = load();
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return loading;
}

const RSA_BITS = 2048;

function generatePair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  if (algorithm !== 'RSASSA-PKCS1-v1_5') return generateCryptoKeyPair(algorithm);
  const params: RsaHashedKeyGenParams = { name: algorithm, modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return crypto.subtle.generateKey(params, true, ['sign', 'verify']);
}

async function generate(accountId: number): Promise<StoredKeyPair[]> {
  return Promise.all(
    ALGORITHMS.map(async (algorithm) => {
      const pair = await generatePair(algorithm);
      return {
        accountId,
        algorithm,
        publicKey: JSON.stringify(await exportJwk(pair.publicKey)),
        privateKey: JSON.stringify(await exportJwk(pair.privateKey)),
      };
    }),
  );
}

async function importPairs(stored: Pick<StoredKeyPair, 'algorithm' | 'publicKey' | 'privateKey'>[]): Promise<CryptoKeyPair[]> {
  const byAlgorithm = (algorithm: KeyAlgorithm) => stored.find((k) => k.algorithm === algorithm && k.privateKey !== null);
  const pairs: CryptoKeyPair[] = [];
  for (const algorithm of ALGORITHMS) {
    const k = byAlgorithm(algorithm);
    if (!k) continue;
    pairs.push({ publicKey: await importJwk(JSON.parse(k.publicKey), 'public'), privateKey: await importJwk(JSON.parse(k.privateKey!), 'private') });
  }
  return pairs;
}

/** A local account's key pairs, RSA first; generated and stored the first time. */
export function accountKeyPairs(db: Db, accountId: number): Promise<CryptoKeyPair[]> {
  return remember(`account:${accountId}`, async () => {
    let stored = await findAccountKeys(db, accountId);
    if (ALGORITHMS.some((algorithm) => !stored.some((k) => k.algorithm === algorithm))) {
      const missing = (await generate(accountId)).filter((k) => !stored.some((s) => s.algorithm === k.algorithm));
      await insertAccountKeys(db, missing);
      // A concurrent first use may have stored its own: read back what won.
      stored = await findAccountKeys(db, accountId);
    }
    return importPairs(stored);
  });
}

/** The instance actor's key pairs (it has no account row: they live in kv). */
export function instanceKeyPairs(db: Db): Promise<CryptoKeyPair[]> {
  return remember('instance', async () => {
    let stored = (await getKv(db, INSTANCE_KEYS)) as StoredKeyPair[] | undefined;
    if (!stored) {
      const fresh = await generate(0);
      // Whoever stores first wins; the loser reads the winner's keys.
      await casKv(db, INSTANCE_KEYS, undefined, fresh, null);
      stored = (await getKv(db, INSTANCE_KEYS)) as StoredKeyPair[];
    }
    return importPairs(stored);
  });
}

/** Forgets cached keys (an account deleted, or tests swapping databases). */
export function forgetKeys(accountId?: number): void {
  if (accountId === undefined) cache.clear();
  else cache.delete(`account:${accountId}`);
}
