// Inserts an ICC profile (`iCCP` chunk) into a PNG sharp wrote, so pixels
// decoded elsewhere (HEIC) can carry their profile into sharp's colour
// conversion: sharp has no way to tag raw input with a profile.
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE_LENGTH = 8;

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function withPngIccProfile(png: Buffer, icc: Buffer): Buffer {
  // IHDR is always first: 4 length + 4 type + 13 data + 4 CRC.
  const afterIhdr = SIGNATURE_LENGTH + 25;
  if (png.toString('latin1', SIGNATURE_LENGTH + 4, SIGNATURE_LENGTH + 8) !== 'IHDR') throw new Error('not a PNG from sharp');
  const iccp = pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)]));
  return Buffer.concat([png.subarray(0, afterIhdr), iccp, png.subarray(afterIhdr)]);
}
