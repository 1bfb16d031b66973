import { isAbsolute, join } from 'node:path';

export type DatabaseConfig =
  | { client: 'sqlite'; filename: string }
  | { client: 'pg'; connectionString: string; schema?: string };

/**
 * `sqlite:<path>` is relative to the data dir, `sqlite:///<absolute path>` is
 * absolute, `postgres://` / `postgresql://` go to Postgres. Returns an error
 * message (a string) for anything else.
 */
export function parseDatabaseUrl(text: string, dataDir: string): DatabaseConfig | string {
  if (text.startsWith('sqlite:')) {
    const rest = text.slice('sqlite:'.length);
    if (rest.startsWith('///')) return { client: 'sqlite', filename: rest.slice(2) };
    if (rest.startsWith('//')) return `malformed SQLite URL "${text}": use sqlite:<relative path> or sqlite:///<absolute path>`;
    if (rest === ':memory:') return { client: 'sqlite', filename: ':memory:' };
    if (!rest || isAbsolute(rest)) return `malformed SQLite URL "${text}": use sqlite:<relative path> or sqlite:///<absolute path>`;
    return { client: 'sqlite', filename: join(dataDir, rest) };
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    try {
      const url = new URL(text);
      if (!url.hostname && !url.searchParams.get('host')) return `malformed Postgres URL "${redact(text)}": no host`;
      const schema = url.searchParams.get('schema') ?? undefined;
      url.searchParams.delete('schema');
      return { client: 'pg', connectionString: url.toString(), schema };
    } catch {
      return `malformed Postgres URL "${redact(text)}"`;
    }
  }
  return `must start with sqlite: or postgres:// (got "${redact(text)}")`;
}

/** Hide a password in a URL before it reaches a log or an error message. */
export function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
