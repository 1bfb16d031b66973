// Builds a real HEIC (HEVC still image in a HEIF container) for the tests:
// ffmpeg + libx265 encode the picture, and this wraps the HEVC stream in the
// minimal boxes libheif reads (ftyp, meta with hdlr/pitm/iinf/iloc/iprp, mdat).
// Stock ffmpeg cannot write HEIF itself, and sharp's libvips cannot write HEVC.
import { spawnSync } from 'node:child_process';

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}
const fullBox = (type: string, version: number, ...parts: Buffer[]) => box(type, Buffer.from([version, 0, 0, 0]), ...parts);
const u8 = (...values: number[]) => Buffer.from(values);
const u16 = (value: number) => Buffer.from([value >> 8, value & 0xff]);
const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
};

function splitAnnexB(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((start, n) => {
    let end = n + 1 < starts.length ? starts[n + 1]! - 3 : stream.length;
    while (end > start && stream[end - 1] === 0) end--; // the zero of a 4-byte start code
    return stream.subarray(start, end);
  });
}

/**
 * True when ffmpeg with libx265 is on PATH. Without it the HEIC tests are
 * skipped with a printed notice; under CI=true (.ci/run installs Debian's
 * ffmpeg, which has libx265) its absence fails the run instead.
 */
export function canEncodeHevc(): boolean {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (result.status === 0 && result.stdout.includes('libx265')) return true;
  if (process.env.CI === 'true') throw new Error('ffmpeg with libx265 is missing and CI=true requires it (apt-get install ffmpeg)');
  console.warn('NOTICE: ffmpeg with libx265 not found; the real-HEIC tests are SKIPPED. Install ffmpeg to run them.');
  return false;
}

/**
 * A `width`×`height` HEIC (sizes multiple of 8) of ffmpeg's test pattern or of
 * one `colour` (hex RRGGBB), optionally tagged with an ICC profile.
 */
export function makeHeic(width: number, height: number, options: { colour?: string; icc?: Buffer } = {}): Buffer {
  const { colour, icc } = options;
  const source = colour ? `color=c=0x${colour}:size=${width}x${height}` : `testsrc=size=${width}x${height}`;
  const encoded = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', source, '-frames:v', '1', '-c:v', 'libx265',
      '-x265-params', 'log-level=none', '-pix_fmt', 'yuv420p', '-f', 'hevc', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (encoded.status !== 0) throw new Error(`ffmpeg failed: ${encoded.stderr}`);
  const nals = splitAnnexB(encoded.stdout);
  const ofType = (type: number) => nals.filter((nal) => ((nal[0]! >> 1) & 0x3f) === type);
  const slices = nals.filter((nal) => ((nal[0]! >> 1) & 0x3f) < 32);
  const arrays = [32, 33, 34].map((type) =>
    Buffer.concat([u8(0x80 | type), u16(ofType(type).length), ...ofType(type).flatMap((nal) => [u16(nal.length), nal])]),
  );
  const sps = ofType(33)[0]!;
  const hvcC = box(
    'hvcC',
    u8(1),
    sps.subarray(3, 15), // profile_space/tier/profile_idc, compatibility flags, constraint flags, level_idc (emulation bytes aside)
    u16(0xf000), u8(0xfc), u8(0xfd), u8(0xf8), u8(0xf8), u16(0), u8(0x0f), // 4:2:0, 8-bit, NAL lengths on 4 bytes
    u8(arrays.length),
    ...arrays,
  );
  const data = Buffer.concat(slices.flatMap((nal) => [u32(nal.length), nal]));
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const meta = (offset: number) =>
    fullBox(
      'meta',
      0,
      fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), u8(0)),
      fullBox('pitm', 0, u16(1)),
      fullBox('iinf', 0, u16(1), fullBox('infe', 2, u16(1), u16(0), Buffer.from('hvc1', 'latin1'), u8(0))),
      fullBox('iloc', 0, u8(0x44, 0x00), u16(1), u16(1), u16(0), u16(1), u32(offset), u32(data.length)),
      box(
        'iprp',
        box('ipco', hvcC, fullBox('ispe', 0, u32(width), u32(height)), ...(icc ? [box('colr', Buffer.from('prof', 'latin1'), icc)] : [])),
        fullBox('ipma', 0, u32(1), u16(1), u8(icc ? 3 : 2), u8(0x81, 0x02), icc ? u8(0x83) : Buffer.alloc(0)),
      ),
    );
  const headerLength = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(headerLength), box('mdat', data)]);
}
