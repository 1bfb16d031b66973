// Time-sortable 53-bit ids (DESIGN.md rule 6): milliseconds since 2020-01-01
// shifted left 12 bits, plus 12 low bits of sequence. They fit a JavaScript
// number exactly, so no driver needs BigInt, and sort by creation time.
import { randomInt } from 'node:crypto';

export const ID_EPOCH_MS = Date.UTC(2020, 0, 1);
const SEQUENCE_BITS = 12;
const SEQUENCE_SPAN = 1 << SEQUENCE_BITS; // 4096

let lastMs = 0;
let sequence = 0;

/**
 * A new id for a row created now. Within one process ids are strictly
 * increasing; across processes a random starting sequence per millisecond
 * makes collisions rare, and inserts retry on the unique constraint.
 */
export function newId(now = Date.now()): number {
  let ms = Math.max(now, lastMs) - ID_EPOCH_MS;
  if (ms + ID_EPOCH_MS === lastMs) {
    sequence += 1;
    if (sequence >= SEQUENCE_SPAN) {
      // 4096 ids in one millisecond: borrow the next millisecond.
      lastMs += 1;
      ms += 1;
      sequence = randomInt(SEQUENCE_SPAN / 2);
    }
  } else {
    lastMs = ms + ID_EPOCH_MS;
    sequence = randomInt(SEQUENCE_SPAN / 2);
  }
  return ms * SEQUENCE_SPAN + sequence;
}

/** An id for something published at `date` (remote posts), random in its low bits. */
export function idFromTime(date: Date | number): number {
  const ms = Math.max(0, (typeof date === 'number' ? date : date.getTime()) - ID_EPOCH_MS);
  return ms * SEQUENCE_SPAN + randomInt(SEQUENCE_SPAN);
}

/** The smallest id for a moment: `WHERE id >= minIdAt(t)` selects rows created at or after t. */
export function minIdAt(date: Date | number): number {
  const ms = Math.max(0, (typeof date === 'number' ? date : date.getTime()) - ID_EPOCH_MS);
  return ms * SEQUENCE_SPAN;
}

export function timeOfId(id: number): Date {
  return new Date(Math.floor(id / SEQUENCE_SPAN) + ID_EPOCH_MS);
}
