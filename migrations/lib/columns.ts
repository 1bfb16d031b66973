// Column shapes shared by migrations. Released migrations depend on these, so
// change nothing here that alters an existing column: add new helpers instead.
import type { Knex } from 'knex';

/** A 53-bit time-sortable id primary key (DESIGN.md rule 6): INTEGER on SQLite (a rowid alias), bigint on Postgres. */
export function idPrimary(knex: Knex, t: Knex.CreateTableBuilder, name = 'id'): void {
  const sqlite = knex.client.config.client === 'better-sqlite3';
  t.specificType(name, sqlite ? 'integer' : 'bigint').primary().notNullable();
}

/** A reference to another table's id, indexed by the caller where needed. */
export function ref(t: Knex.CreateTableBuilder, name: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') {
  const column = t.bigInteger(name).references('id').inTable(table).onDelete(onDelete);
  return onDelete === 'CASCADE' ? column.notNullable() : column.nullable();
}

/** Milliseconds since the Unix epoch: the one time format of every `*_at` column (docs/decisions/0001). */
export function time(t: Knex.CreateTableBuilder, name: string) {
  return t.bigInteger(name);
}

export function timestamps(t: Knex.CreateTableBuilder): void {
  time(t, 'created_at').notNullable();
  time(t, 'updated_at').notNullable();
}
