// SQL for `instance_settings`: what an admin changes at run time (e.g. the
// registration mode). A stored value wins over the config it overrides.
import type { Queryable } from './knex.ts';

export async function getSetting<T>(db: Queryable, key: string): Promise<T | undefined> {
  const row = await db('instance_settings').where({ key }).first('value');
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export async function setSetting(db: Queryable, key: string, value: unknown, now = Date.now()): Promise<void> {
  await db('instance_settings')
    .insert({ key, value: JSON.stringify(value), updated_at: now })
    .onConflict('key')
    .merge(['value', 'updated_at']);
}

export async function deleteSetting(db: Queryable, key: string): Promise<void> {
  await db('instance_settings').where({ key }).delete();
}
