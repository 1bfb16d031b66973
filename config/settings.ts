// Every setting an operator can change: its name in the config file, its
// environment variable, its default and how its raw text is validated.
// This table is the single source for docs, validation and error messages.
import { z } from 'zod';

const integer = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const onOff = z
  .union([z.boolean(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    const text = value.trim().toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(text)) return true;
    if (['off', 'false', '0', 'no'].includes(text)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be on or off (true/false)' });
    return z.NEVER;
  });

const httpUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search && !url.hash;
  } catch {
    return false;
  }
}, 'must be an http(s) URL with no path, like https://photos.example');

/** `<count>/<seconds>`: at most count requests per window of seconds. */
const budget = z.string().regex(/^\d+\/\d+$/, 'must be <count>/<seconds>, like 300/300').transform((text) => {
  const [count, seconds] = text.split('/').map(Number) as [number, number];
  return { limit: count, windowMs: seconds * 1000 };
});

const httpUrlAnyPath = z.string().refine((text) => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

export const registrationModes = ['open', 'approval', 'invite', 'closed'] as const;
export const logLevels = ['trace', 'debug', 'info', 'warning', 'error', 'fatal'] as const;

export interface Setting {
  env: string;
  schema: z.ZodType;
  default?: unknown;
  doc: string;
}

export const settings = {
  publicUrl: { env: 'VIEWFINDER_PUBLIC_URL', schema: httpUrl.optional(), doc: 'Public URL people and servers reach; default http://localhost:<port>' },
  sourceUrl: { env: 'VIEWFINDER_SOURCE_URL', schema: z.union([httpUrlAnyPath, z.literal('')]), default: '', doc: 'Where this instance publishes its source code (the AGPL asks for it); shown as the instance source_url' },
  port: { env: 'VIEWFINDER_PORT', schema: integer(0, 65535), default: 3000, doc: 'HTTP port to listen on' },
  host: { env: 'VIEWFINDER_HOST', schema: z.string().min(1), default: '0.0.0.0', doc: 'Address to bind' },
  dataDir: { env: 'VIEWFINDER_DATA_DIR', schema: z.string().min(1), default: './data', doc: 'Folder for the SQLite database, media and the secret key' },
  databaseUrl: { env: 'DATABASE_URL', schema: z.string().min(1), default: 'sqlite:viewfinder.sqlite', doc: 'sqlite:<path in data dir>, sqlite:///<absolute path> or postgres://user@host/db' },
  redisUrl: { env: 'REDIS_URL', schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(), doc: 'Optional Redis for caches, rate limits and pub/sub' },
  registrations: { env: 'VIEWFINDER_REGISTRATIONS', schema: z.enum(registrationModes, { error: `must be one of ${registrationModes.join(', ')}` }), default: 'approval', doc: 'Sign-up mode until an admin sets one at run time' },
  maxImageBytes: { env: 'VIEWFINDER_MAX_IMAGE_BYTES', schema: integer(1024, 1024 ** 3), default: 16 * 1024 * 1024, doc: 'Largest image upload, bytes' },
  maxImagePixels: { env: 'VIEWFINDER_MAX_IMAGE_PIXELS', schema: integer(1, 1_000_000_000), default: 100_000_000, doc: 'Largest image canvas, pixels (decompression-bomb guard)' },
  maxVideoBytes: { env: 'VIEWFINDER_MAX_VIDEO_BYTES', schema: integer(1024, 16 * 1024 ** 3), default: 200 * 1024 * 1024, doc: 'Largest video upload, bytes' },
  maxVideoSeconds: { env: 'VIEWFINDER_MAX_VIDEO_SECONDS', schema: integer(1, 24 * 3600), default: 600, doc: 'Longest video, seconds' },
  originalMaxEdge: { env: 'VIEWFINDER_ORIGINAL_MAX_EDGE', schema: integer(640, 16384), default: 4096, doc: 'Long edge of the full-quality copy kept of each photo, pixels' },
  avif: { env: 'VIEWFINDER_AVIF', schema: onOff, default: false, doc: 'Also render AVIF copies of the display sizes (slower to encode)' },
  videoMaxShortEdge: { env: 'VIEWFINDER_VIDEO_MAX_SHORT_EDGE', schema: integer(144, 4320), default: 1080, doc: 'Videos are scaled down to at most this short edge, pixels' },
  ffmpegPath: { env: 'VIEWFINDER_FFMPEG_PATH', schema: z.string().optional(), doc: 'The ffmpeg binary (ffprobe beside it) or the folder holding both; unset: found on PATH' },
  ffmpegThreads: { env: 'VIEWFINDER_FFMPEG_THREADS', schema: integer(1, 64), default: 1, doc: 'Threads one ffmpeg transcode may use (it runs at lower priority)' },
  secretKey: { env: 'VIEWFINDER_SECRET_KEY', schema: z.string().min(32, 'must be at least 32 characters').optional(), doc: 'Signs sessions and tokens; generated into <dataDir>/secret.key when unset' },
  logLevel: { env: 'VIEWFINDER_LOG_LEVEL', schema: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }), default: 'info', doc: 'Least severe log level written' },
  logFormat: { env: 'VIEWFINDER_LOG_FORMAT', schema: z.enum(['text', 'json'], { error: 'must be text or json' }), default: 'text', doc: 'Log lines as readable text or as JSON (one object a line)' },
  trustProxy: { env: 'VIEWFINDER_TRUST_PROXY', schema: onOff, default: false, doc: 'Honour X-Forwarded-* headers (set behind a reverse proxy)' },
  rateLimits: { env: 'VIEWFINDER_RATE_LIMITS', schema: onOff, default: true, doc: 'Per-token and per-IP rate limits; off for benchmarks' },
  rateLimitApi: { env: 'VIEWFINDER_RATE_LIMIT_API', schema: budget, default: '300/300', doc: 'API requests per token (or per IP without one) per window: <count>/<seconds>' },
  rateLimitMedia: { env: 'VIEWFINDER_RATE_LIMIT_MEDIA', schema: budget, default: '30/1800', doc: 'Media uploads per account per window' },
  rateLimitSignIn: { env: 'VIEWFINDER_RATE_LIMIT_SIGN_IN', schema: budget, default: '10/300', doc: 'Sign-in attempts (web form and password grant) per IP per window' },
  rateLimitSignUp: { env: 'VIEWFINDER_RATE_LIMIT_SIGN_UP', schema: budget, default: '5/1800', doc: 'Sign-ups per IP per window' },
  tokenTtlSeconds: { env: 'VIEWFINDER_TOKEN_TTL', schema: integer(60, 10 * 365 * 24 * 3600).optional(), doc: 'Access token lifetime in seconds; unset: tokens do not expire (refresh tokens are issued only when set)' },
  passwordGrant: { env: 'VIEWFINDER_PASSWORD_GRANT', schema: onOff, default: true, doc: 'Allow the OAuth password grant (command-line clients); an admin setting at run time wins' },
  requireEmail: { env: 'VIEWFINDER_REQUIRE_EMAIL', schema: onOff, default: false, doc: 'Sign-up requires an email address' },
  smtpUrl: { env: 'VIEWFINDER_SMTP_URL', schema: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(), doc: 'SMTP server for confirmation and password-reset mail; unset: no mail is sent' },
  smtpFrom: { env: 'VIEWFINDER_SMTP_FROM', schema: z.string().optional(), doc: 'Sender address of mail, like "Viewfinder <noreply@photos.example>"' },
  bodyLimitBytes: { env: 'VIEWFINDER_BODY_LIMIT_BYTES', schema: integer(1024, 64 * 1024 * 1024), default: 1024 * 1024, doc: 'Largest JSON/form request body, bytes' },
  jobConcurrency: { env: 'VIEWFINDER_JOB_CONCURRENCY', schema: integer(1, 256), default: 4, doc: 'Jobs one worker process runs at once, deliveries to other servers apart (VIEWFINDER_DELIVERY_CONCURRENCY)' },
  jobPollMs: { env: 'VIEWFINDER_JOB_POLL_MS', schema: integer(10, 60_000), default: 100, doc: 'How often an idle worker looks for due jobs, ms' },
  deliveryConcurrency: { env: 'VIEWFINDER_DELIVERY_CONCURRENCY', schema: integer(1, 256), default: 16, doc: 'Deliveries to other servers one worker sends at once, beside VIEWFINDER_JOB_CONCURRENCY other jobs (they mostly wait on the network)' },
  jobThreads: { env: 'VIEWFINDER_JOB_THREADS', schema: integer(1, 16), default: 1, doc: 'Job worker threads of serve --role all, each with its own database connection and its own job and delivery concurrency' },
  jobLeaseMs: { env: 'VIEWFINDER_JOB_LEASE_MS', schema: integer(1000, 24 * 3600_000), default: 5 * 60_000, doc: 'How long a claimed job stays leased before another worker may take it, ms' },
  homeFeedSize: { env: 'VIEWFINDER_HOME_FEED_SIZE', schema: integer(20, 100_000), default: 800, doc: 'Entries each home feed keeps, newest first (older ones are trimmed)' },
  homeFeedFanoutBatch: { env: 'VIEWFINDER_HOME_FEED_FANOUT_BATCH', schema: integer(10, 100_000), default: 1000, doc: 'Follower feeds one fan-out transaction writes to' },
  homeFeedTrimOneIn: { env: 'VIEWFINDER_HOME_FEED_TRIM_ONE_IN', schema: integer(1, 1024), default: 32, doc: 'A delivery trims a recipient feed once in this many posts' },
  allowPrivateAddresses: { env: 'VIEWFINDER_ALLOW_PRIVATE_ADDRESSES', schema: onOff, default: false, doc: 'Let remote fetches reach loopback/private addresses; only for local trials over http://' },
  federationRetryBaseMs: { env: 'VIEWFINDER_FEDERATION_RETRY_BASE_MS', schema: integer(100, 3_600_000), default: 60_000, doc: 'First wait before a failed delivery to another server is retried; doubles up to 6 h, about two days in all' },
  authorizedFetch: { env: 'VIEWFINDER_AUTHORIZED_FETCH', schema: onOff, default: false, doc: 'Answer actors, posts and collections only to signed requests (Mastodon secure mode)' },
  remoteMedia: { env: 'VIEWFINDER_REMOTE_MEDIA', schema: z.enum(['cache', 'off'], { error: 'must be cache or off' }), default: 'cache', doc: 'cache: copy remote photos, videos, avatars and headers through the media pipeline; off: show them from their own server' },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof settings;
