/**
 * What a file really is, from its first bytes: MP4 and QuickTime (ISO base media) files are a chain
 * of boxes — 4-byte big-endian size, 4-byte type — and start with `ftyp` (or, in old QuickTime files,
 * with `moov`/`mdat`/`wide`/`free`). Anything else gets a reason a coach can act on. Pure functions;
 * the box walk reads through an injected reader so it can run over S3 range requests or a buffer.
 */

export type Container = 'mp4' | 'mov';

export type SniffResult =
  | { ok: true; container: Container; brand: string; compatibleBrands: string[] }
  | { ok: false; reason: string; detected?: string };

const QUICKTIME_BRANDS = new Set(['qt  ']);
/** ISO BMFF brands of the MP4 family (incl. 3GP, which phones still write, and Apple's M4V). */
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'M4V ',
  'M4VH',
  'M4VP',
  'f4v ',
  'MSNV',
  'NDAS',
  'XAVC',
  'dash',
  'mmp4',
  'CAEP',
  'caqv',
  '3gp4',
  '3gp5',
  '3gp6',
  '3gp7',
  '3gp8',
  '3gp9',
  '3gs7',
  '3g2a',
  '3g2b',
  '3g2c',
  'hvc1',
  'av01',
]);
/** Audio-only or still-image members of the family: real ISO files, but not videos. */
const NOT_VIDEO_BRANDS: Record<string, string> = {
  'M4A ': 'an audio file (M4A)',
  'M4B ': 'an audiobook (M4B)',
  'M4P ': 'protected audio (M4P)',
  heic: 'a photo (HEIC)',
  heix: 'a photo (HEIC)',
  mif1: 'a photo (HEIF)',
  msf1: 'a photo sequence (HEIF)',
  avif: 'a photo (AVIF)',
  avis: 'an animated image (AVIF)',
};
/** Top-level boxes an old QuickTime movie may start with (no `ftyp`). */
const LEGACY_QT_FIRST = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const UPLOAD_HINT =
  'Export the video as MP4 (H.264) or MOV from your camera or editing app and upload it again.';

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

const isPrintableFourcc = (s: string) => /^[\x20-\x7e]{4}$/.test(s);

/** Identifies the file from its first bytes (at least 12; 64 KiB gives better messages). */
export function sniffContainer(head: Uint8Array): SniffResult {
  if (head.length === 0) return { ok: false, reason: `The file is empty. ${UPLOAD_HINT}`, detected: 'empty' };
  if (head.length >= 12) {
    const size = u32(head, 0);
    const type = fourcc(head, 4);
    if (type === 'ftyp' && (size >= 16 || size === 1)) {
      const brand = fourcc(head, 8);
      const end = Math.min(size === 1 ? 16 : size, head.length);
      const compatibleBrands: string[] = [];
      for (let at = 16; at + 4 <= end; at += 4) compatibleBrands.push(fourcc(head, at));
      const all = [brand, ...compatibleBrands];
      const notVideo = NOT_VIDEO_BRANDS[brand];
      if (notVideo)
        return {
          ok: false,
          reason: `This file is ${notVideo}, not a video. ${UPLOAD_HINT}`,
          detected: brand.trim(),
        };
      if (QUICKTIME_BRANDS.has(brand)) return { ok: true, container: 'mov', brand, compatibleBrands };
      if (all.some((b) => MP4_BRANDS.has(b))) return { ok: true, container: 'mp4', brand, compatibleBrands };
      if (all.some((b) => QUICKTIME_BRANDS.has(b)))
        return { ok: true, container: 'mov', brand, compatibleBrands };
      return {
        ok: false,
        reason: `This file uses an MP4 variant we do not accept (brand "${brand.trim()}"). ${UPLOAD_HINT}`,
        detected: `ftyp:${brand.trim()}`,
      };
    }
    if (LEGACY_QT_FIRST.has(type) && size >= 8)
      return { ok: true, container: 'mov', brand: 'qt  ', compatibleBrands: [] };
  }
  const other = recogniseOther(head);
  return {
    ok: false,
    reason: other
      ? `This file is ${other.what}, not an MP4 or MOV video. ${UPLOAD_HINT}`
      : `This file is not an MP4 or MOV video (it does not start with an MP4/QuickTime header). ${UPLOAD_HINT}`,
    detected: other?.id ?? 'unknown',
  };
}

function startsWith(head: Uint8Array, bytes: number[], at = 0): boolean {
  return bytes.every((b, i) => head[at + i] === b);
}

function recogniseOther(head: Uint8Array): { id: string; what: string } | undefined {
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return { id: 'matroska', what: 'a WebM/MKV video' };
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && fourcc(head, 8) === 'AVI ')
    return { id: 'avi', what: 'an AVI video' };
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && fourcc(head, 8) === 'WAVE')
    return { id: 'wav', what: 'a WAV audio file' };
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75])) return { id: 'asf', what: 'a Windows Media (WMV) video' };
  if (startsWith(head, [0x46, 0x4c, 0x56])) return { id: 'flv', what: 'a Flash (FLV) video' };
  if (head.length >= 377 && head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47)
    return { id: 'mpegts', what: 'an MPEG transport stream (.ts/.mts)' };
  if (startsWith(head, [0x00, 0x00, 0x01, 0xba]))
    return { id: 'mpegps', what: 'an MPEG program stream (.mpg/.vob)' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { id: 'jpeg', what: 'a JPEG photo' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return { id: 'png', what: 'a PNG image' };
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return { id: 'gif', what: 'a GIF image' };
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return { id: 'pdf', what: 'a PDF document' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]))
    return { id: 'zip', what: 'a ZIP archive (or an Office document)' };
  if (startsWith(head, [0x49, 0x44, 0x33]) || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0))
    return { id: 'mp3', what: 'an MP3 audio file' };
  if (looksLikeText(head)) return { id: 'text', what: 'a text file' };
  return undefined;
}

function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, Math.min(head.length, 4096));
  if (sample.length === 0) return false;
  let printable = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80) printable++;
  }
  return printable / sample.length > 0.95;
}

// --- Box walk: is the file complete? -----------------------------------------------------------------------

export interface BoxHeader {
  type: string;
  offset: number;
  /** Total size including the header; `null` when the box runs to the end of the file (size 0). */
  size: number | null;
  headerSize: number;
}

/** Parses the box header at the start of `bytes` (needs 8 bytes, 16 for 64-bit sizes). */
export function parseBoxHeader(bytes: Uint8Array, offset: number): BoxHeader | { error: string } {
  if (bytes.length < 8) return { error: 'the file ends inside a box header' };
  const size32 = u32(bytes, 0);
  const type = fourcc(bytes, 4);
  if (!isPrintableFourcc(type)) return { error: `unreadable box at byte ${offset}` };
  if (size32 === 0) return { type, offset, size: null, headerSize: 8 };
  if (size32 === 1) {
    if (bytes.length < 16) return { error: 'the file ends inside a box header' };
    const size = u32(bytes, 8) * 2 ** 32 + u32(bytes, 12);
    if (size < 16) return { error: `box "${type}" at byte ${offset} has an impossible size` };
    return { type, offset, size, headerSize: 16 };
  }
  if (size32 < 8) return { error: `box "${type}" at byte ${offset} has an impossible size` };
  return { type, offset, size: size32, headerSize: 8 };
}

export type BoxWalk =
  { ok: true; boxes: BoxHeader[] } | { ok: false; reason: string; boxes: BoxHeader[]; truncated: boolean };

/**
 * Walks the top-level boxes of an MP4/MOV of `fileSize` bytes using `readAt(offset, length)`. A
 * complete file's boxes tile it exactly and include the index (`moov`) and the media (`mdat`); an
 * interrupted upload or recording ends inside a box. At most `maxBoxes` boxes are read.
 */
export async function walkTopLevelBoxes(
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  fileSize: number,
  maxBoxes = 10_000,
): Promise<BoxWalk> {
  const boxes: BoxHeader[] = [];
  let offset = 0;
  const incomplete = (detail: string): BoxWalk => ({
    ok: false,
    truncated: true,
    boxes,
    reason: `The upload is incomplete or damaged: ${detail}. Upload the complete file again (if the recording was interrupted, export it again from the camera app).`,
  });
  while (offset < fileSize) {
    if (boxes.length >= maxBoxes)
      return {
        ok: false,
        truncated: false,
        boxes,
        reason: `The file has more than ${maxBoxes} top-level sections, which no camera writes. ${UPLOAD_HINT}`,
      };
    const header = parseBoxHeader(await readAt(offset, Math.min(16, fileSize - offset)), offset);
    if ('error' in header) return incomplete(header.error);
    boxes.push(header);
    if (header.size === null) break;
    if (offset + header.size > fileSize) {
      return incomplete(
        `the "${header.type}" section needs ${offset + header.size} bytes but the file has only ${fileSize}`,
      );
    }
    offset += header.size;
  }
  const types = new Set(boxes.map((b) => b.type));
  if (!types.has('moov'))
    return incomplete('it has no index ("moov" section), which is written when a recording finishes');
  if (!types.has('mdat') && !types.has('moof')) return incomplete('it contains no media data');
  return { ok: true, boxes };
}
