// Table rows ↔ camelCase objects, from one column map per table: SQLite gives
// booleans as 0/1 and absent values as undefined, so both are normalized here.
type Row = Record<string, unknown>;

export interface RowMapper<T> {
  fromRow(row: Row): T;
  /** Only the keys present (and not undefined) in `values`. */
  toRow(values: Partial<T>): Row;
}

export function createRowMapper<T>(columns: Record<keyof T, string>, booleans: ReadonlySet<keyof T>): RowMapper<T> {
  const entries = Object.entries(columns) as [keyof T, string][];
  return {
    fromRow(row) {
      const object = {} as Record<keyof T, unknown>;
      for (const [key, column] of entries) object[key] = booleans.has(key) ? Boolean(row[column]) : (row[column] ?? null);
      return object as T;
    },
    toRow(values) {
      const row: Row = {};
      for (const [key, value] of Object.entries(values)) {
        if (value !== undefined) row[columns[key as keyof T]] = value;
      }
      return row;
    },
  };
}
