// Mastodon apps send the same parameters as JSON, urlencoded or multipart
// forms, with Rails' conventions: booleans as "true"/"1"/"on", lists as
// `fields_attributes[0][name]` or a JSON array. These helpers read them alike.
import { unprocessable } from '../../errors.ts';

export function stringParam(value: unknown): string | undefined {
  if (Array.isArray(value)) return stringParam(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Rails' cast: "", "0", "f", "false", "off" (any case) and false are false; anything else given is true. */
export function booleanParam(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const text = stringParam(value);
  if (text === undefined) return undefined;
  return !['', '0', 'f', 'false', 'off', 'n', 'no'].includes(text.trim().toLowerCase());
}

export function integerParam(value: unknown, options: { min: number; max: number; fallback: number }): number {
  const text = stringParam(value);
  if (text === undefined || text === '') return options.fallback;
  const number = Number(text);
  if (!Number.isInteger(number)) throw unprocessable(`Expected an integer, got ${JSON.stringify(text)}`);
  return Math.min(options.max, Math.max(options.min, number));
}

/** A list given as an array, as an object with numeric keys ({"0": …, "1": …}), or a single value. */
export function listParam(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, item]) => item);
  }
  return [value];
}

/** `fields_attributes` in any of its shapes → name/value pairs, or undefined when not given. */
export function fieldsParam(value: unknown): { name: string; value: string }[] | undefined {
  if (value === undefined) return undefined;
  return listParam(value).map((item) => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    return { name: stringParam(record.name) ?? '', value: stringParam(record.value) ?? '' };
  });
}

/** Ids from `id[]=1&id[]=2`, `id=1`, or a JSON array; non-numeric ones dropped. */
export function idListParam(query: Record<string, unknown>, name: string): number[] {
  const values = [...listParam(query[`${name}[]`]), ...listParam(query[name])];
  const ids = values.map((v) => stringParam(v) ?? '').filter((v) => /^\d{1,16}$/.test(v)).map(Number);
  return [...new Set(ids)];
}

export function parseId(text: string): number | null {
  return /^\d{1,16}$/.test(text) ? Number(text) : null;
}
