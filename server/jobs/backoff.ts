// Retry delays: exponential with "equal jitter" — half the delay fixed, half
// random. The random half spreads retries of jobs that failed together (a
// remote server coming back must not see them all at once); the fixed half
// keeps each delay at least as long as the one before, so a failing job backs
// off steadily instead of retrying early by chance, as full jitter allows.

export const DEFAULT_BACKOFF_BASE_MS = 1000;
export const DEFAULT_BACKOFF_MAX_MS = 60 * 60 * 1000;

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

/** Delay before the next attempt after `attempt` (1-based) failed, in milliseconds. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const max = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  // The exponent is clamped: past 2^40 every delay sits at the cap anyway.
  const ceiling = Math.min(max, base * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
