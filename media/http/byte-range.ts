// HTTP Range requests (RFC 9110 §14) for a single byte range, which is what
// video players ask for when seeking. Anything else — another unit, several
// ranges, a malformed header — is ignored, and the whole body is sent, as the
// RFC allows and as many servers do.
import type { ByteRange } from '../storage/storage.ts';

export type RangeAnswer =
  | { kind: 'whole' }
  /** 206 with these inclusive positions, already clamped to the object. */
  | ({ kind: 'partial' } & ByteRange)
  /** 416: a well-formed range that the object does not reach. */
  | { kind: 'unsatisfiable' };

const WHOLE: RangeAnswer = { kind: 'whole' };
const UNSATISFIABLE: RangeAnswer = { kind: 'unsatisfiable' };

/** What a `Range` header (empty when absent) asks of an object of `size` bytes. */
export function parseRange(header: string, size: number): RangeAnswer {
  // The unit is case-insensitive; there is no whitespace around "=".
  const unit = /^bytes=(.*)$/i.exec(header);
  if (!unit) return WHOLE;
  // Empty list elements ("bytes=0-9,") are allowed and ignored (RFC 9110 §5.6.1).
  const specs = (unit[1] ?? '').split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length !== 1) return WHOLE;
  const spec = /^([0-9]*)-([0-9]*)$/.exec(specs[0] ?? '');
  if (!spec) return WHOLE;
  const first = spec[1] ?? '';
  const last = spec[2] ?? '';
  if (first === '' && last === '') return WHOLE;
  // BigInt: a 30-digit position is still compared exactly, not rounded.
  const length = BigInt(size);
  if (first === '') {
    // "-n": the last n bytes, or all of them when the object is shorter.
    const suffix = BigInt(last);
    if (suffix === 0n || length === 0n) return UNSATISFIABLE;
    return partial(suffix >= length ? 0n : length - suffix, length - 1n);
  }
  const start = BigInt(first);
  if (last !== '' && BigInt(last) < start) return WHOLE; // invalid, so ignored
  if (start >= length) return UNSATISFIABLE;
  const end = last === '' || BigInt(last) >= length ? length - 1n : BigInt(last);
  return partial(start, end);
}

/**
 * Whether a Range still counts given the request's `If-Range` (empty when
 * absent): only for the representation it names, by strong comparison
 * (RFC 9110 §13.1.5). A date never matches, since we send no Last-Modified.
 */
export function rangeStillApplies(ifRange: string, etag: string): boolean {
  return ifRange === '' || (ifRange === etag && !etag.startsWith('W/'));
}

/** The Content-Range of a partial answer, or of a 416 when `range` is omitted. */
export function contentRange(size: number, range?: ByteRange): string {
  return range ? `bytes ${range.start}-${range.end}/${size}` : `bytes */${size}`;
}

function partial(start: bigint, end: bigint): RangeAnswer {
  return { kind: 'partial', start: Number(start), end: Number(end) };
}
