// Builds the one typed Config object from defaults < config file < environment.
// This is the only module that reads process.env (rule 1 of STYLE.md); callers
// pass the environment in so tests can use their own.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { settings, type SettingName } from './settings.ts';
import { parseDatabaseUrl, type DatabaseConfig } from './database-url.ts';

export interface Config {
  publicUrl: string;
  /** Where the source code of this instance is published ('' when not set). */
  sourceUrl: string;
  /** Host of the public URL, with the port when it is not the default. */
  domain: string;
  port: number;
  host: string;
  dataDir: string;
  mediaDir: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  registrations: 'open' | 'approval' | 'invite' | 'closed';
  uploads: { maxImageBytes: number; maxImagePixels: number; maxVideoBytes: number; maxVideoSeconds: number };
  media: { originalMaxEdge: number; avif: boolean; videoMaxShortEdge: number; ffmpegPath: string | undefined; ffmpegThreads: number };
  secretKey: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal';
  logFormat: 'text' | 'json';
  trustProxy: boolean;
  rateLimits: boolean;
  bodyLimitBytes: number;
  rateLimitBudgets: { api: RateBudget; media: RateBudget; signIn: RateBudget; signUp: RateBudget };
  /** Access token lifetime; null: tokens never expire (Mastodon apps never refresh). */
  tokenTtlMs: number | null;
  passwordGrant: boolean;
  requireEmail: boolean;
  smtp: { url: string; from: string } | null;
  /**
   * `deliveryConcurrency`: outgoing deliveries run beside the `concurrency`
   * other jobs; `threads`: job worker threads of `serve --role all`
   * (docs/decisions/0009).
   */
  jobs: { concurrency: number; deliveryConcurrency: number; pollMs: number; leaseMs: number; threads: number };
  /** Home feeds (docs/decisions/0005): entries kept, fan-out batch size, trim rate. */
  homeFeed: { size: number; fanoutBatch: number; trimOneIn: number };
  allowPrivateAddresses: boolean;
  federation: { retryBaseMs: number; authorizedFetch: boolean; remoteMedia: 'cache' | 'off' };
}

export interface RateBudget {
  limit: number;
  windowMs: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Working directory that relative paths resolve against. */
  cwd?: string;
  /** Overrides applied on top of the environment (e.g. CLI flags). */
  overrides?: Partial<Record<SettingName, unknown>>;
  /** Create <dataDir>/secret.key when no secret is configured (default true). */
  persistSecret?: boolean;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const file = readConfigFile(env, cwd, problems);

  const values: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings) as [SettingName, (typeof settings)[SettingName]][]) {
    const fromEnv = env[setting.env];
    const override = options.overrides?.[name];
    const raw = override ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[name] ?? ('default' in setting ? setting.default : undefined));
    const result = setting.schema.safeParse(raw);
    if (result.success) values[name] = result.data;
    else problems.push(`${setting.env}${name in file ? ` (config file key "${name}")` : ''}: ${result.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(raw)})`);
  }
  for (const key of Object.keys(file)) {
    if (!(key in settings)) problems.push(`config file: unknown key "${key}"`);
  }
  if (problems.length) throw new ConfigError(problems);

  const dataDir = resolve(cwd, values.dataDir as string);
  const database = parseDatabaseUrl(values.databaseUrl as string, dataDir);
  if (typeof database === 'string') problems.push(`DATABASE_URL: ${database}`);
  const port = values.port as number;
  const publicUrl = ((values.publicUrl as string | undefined) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const url = new URL(publicUrl);
  if (values.allowPrivateAddresses && url.protocol === 'https:') {
    problems.push('VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: only allowed for local trials whose VIEWFINDER_PUBLIC_URL is http://');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    publicUrl,
    sourceUrl: values.sourceUrl as string,
    domain: url.host,
    port,
    host: values.host as string,
    dataDir,
    mediaDir: join(dataDir, 'media'),
    database: database as DatabaseConfig,
    redisUrl: values.redisUrl as string | undefined,
    registrations: values.registrations as Config['registrations'],
    uploads: {
      maxImageBytes: values.maxImageBytes as number,
      maxImagePixels: values.maxImagePixels as number,
      maxVideoBytes: values.maxVideoBytes as number,
      maxVideoSeconds: values.maxVideoSeconds as number,
    },
    media: {
      originalMaxEdge: values.originalMaxEdge as number,
      avif: values.avif as boolean,
      videoMaxShortEdge: values.videoMaxShortEdge as number,
      ffmpegPath: values.ffmpegPath === undefined || values.ffmpegPath === '' ? undefined : resolve(cwd, values.ffmpegPath as string),
      ffmpegThreads: values.ffmpegThreads as number,
    },
    secretKey: (values.secretKey as string | undefined) ?? secretFromDataDir(dataDir, options.persistSecret ?? true),
    logLevel: values.logLevel as Config['logLevel'],
    logFormat: values.logFormat as Config['logFormat'],
    trustProxy: values.trustProxy as boolean,
    rateLimits: values.rateLimits as boolean,
    bodyLimitBytes: values.bodyLimitBytes as number,
    rateLimitBudgets: {
      api: values.rateLimitApi as RateBudget,
      media: values.rateLimitMedia as RateBudget,
      signIn: values.rateLimitSignIn as RateBudget,
      signUp: values.rateLimitSignUp as RateBudget,
    },
    tokenTtlMs: values.tokenTtlSeconds === undefined ? null : (values.tokenTtlSeconds as number) * 1000,
    passwordGrant: values.passwordGrant as boolean,
    requireEmail: values.requireEmail as boolean,
    smtp: values.smtpUrl ? { url: values.smtpUrl as string, from: (values.smtpFrom as string | undefined) ?? `Viewfinder <noreply@${url.hostname}>` } : null,
    jobs: {
      concurrency: values.jobConcurrency as number,
      deliveryConcurrency: values.deliveryConcurrency as number,
      pollMs: values.jobPollMs as number,
      leaseMs: values.jobLeaseMs as number,
      threads: values.jobThreads as number,
    },
    homeFeed: { size: values.homeFeedSize as number, fanoutBatch: values.homeFeedFanoutBatch as number, trimOneIn: values.homeFeedTrimOneIn as number },
    allowPrivateAddresses: values.allowPrivateAddresses as boolean,
    federation: {
      retryBaseMs: values.federationRetryBaseMs as number,
      authorizedFetch: values.authorizedFetch as boolean,
      remoteMedia: values.remoteMedia as 'cache' | 'off',
    },
  };
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string, problems: string[]): Record<string, unknown> {
  const explicit = env.VIEWFINDER_CONFIG;
  const path = explicit ? resolve(cwd, explicit) : join(cwd, 'config', 'viewfinder.json');
  if (!existsSync(path)) {
    if (explicit) problems.push(`VIEWFINDER_CONFIG: no file at ${path}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    problems.push(`VIEWFINDER_CONFIG: ${path} must hold a JSON object`);
  } catch (error) {
    problems.push(`VIEWFINDER_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  return {};
}

/** The secret key lives in the data dir so it survives restarts without the operator choosing one. */
function secretFromDataDir(dataDir: string, persist: boolean): string {
  const path = join(dataDir, 'secret.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const key = randomBytes(48).toString('base64url');
  if (!persist) return key;
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (web and worker starting together) wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8').trim();
  }
  return key;
}
