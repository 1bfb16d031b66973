// Epoch milliseconds (our rows) ⇄ Temporal.Instant (Fedify's vocabulary).
// Node 24 has no global Temporal, so instants come from the polyfill Fedify
// itself uses; its type is structurally the lib's Temporal.Instant, which the
// cast states.
import { Temporal as Polyfill } from '@js-temporal/polyfill';

export function instantFromMs(ms: number): Temporal.Instant {
  return Polyfill.Instant.fromEpochMilliseconds(ms) as unknown as Temporal.Instant;
}

export function msFromInstant(instant: Temporal.Instant | null | undefined): number | null {
  return instant == null ? null : instant.epochMilliseconds;
}
