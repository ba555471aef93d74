import { describe, expect, it } from 'vitest';
import { parseBoxHeader, sniffContainer, walkTopLevelBoxes } from '../../../src/domain/videos/sniff';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
function box(type: string, payload: number[] | Uint8Array = []): Uint8Array {
  const size = 8 + payload.length;
  return Uint8Array.from([
    (size >>> 24) & 255,
    (size >>> 16) & 255,
    (size >>> 8) & 255,
    size & 255,
    ...ascii(type),
    ...payload,
  ]);
}
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  return box('ftyp', [...ascii(major), 0, 0, 2, 0, ...compatible.flatMap(ascii)]);
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const reader = (bytes: Uint8Array) => async (offset: number, length: number) =>
  bytes.subarray(offset, offset + length);

describe('sniffContainer', () => {
  it('recognises MP4 by its ftyp brands', () => {
    expect(sniffContainer(ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'))).toMatchObject({
      ok: true,
      container: 'mp4',
      brand: 'isom',
    });
    expect(sniffContainer(ftyp('mp42', 'mp42', 'isom'))).toMatchObject({ ok: true, container: 'mp4' });
    expect(sniffContainer(ftyp('3gp4', '3gp4'))).toMatchObject({ ok: true, container: 'mp4' });
  });

  it('recognises QuickTime by brand and old QuickTime files by their first box', () => {
    expect(sniffContainer(ftyp('qt  ', 'qt  '))).toMatchObject({ ok: true, container: 'mov' });
    expect(sniffContainer(concat(box('wide'), box('mdat', [1, 2, 3])))).toMatchObject({
      ok: true,
      container: 'mov',
    });
  });

  it('refuses a text file renamed .mp4, saying what it is', () => {
    const result = sniffContainer(new TextEncoder().encode('Batting notes\nfront foot forward\n'));
    expect(result).toMatchObject({ ok: false, detected: 'text' });
    if (!result.ok)
      expect(result.reason).toMatch(
        /^This file is a text file, not an MP4 or MOV video\. Export the video as MP4/,
      );
  });

  it('names other formats people upload by mistake', () => {
    const webm = Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sniffContainer(webm)).toMatchObject({ ok: false, detected: 'matroska' });
    const avi = Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('AVI LIST')]);
    expect(sniffContainer(avi)).toMatchObject({ ok: false, detected: 'avi' });
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sniffContainer(jpeg)).toMatchObject({ ok: false, detected: 'jpeg' });
    expect(sniffContainer(ftyp('M4A ', 'M4A ', 'isom'))).toMatchObject({ ok: false, detected: 'M4A' });
    expect(sniffContainer(ftyp('heic', 'mif1'))).toMatchObject({ ok: false, detected: 'heic' });
    expect(sniffContainer(new Uint8Array())).toMatchObject({ ok: false, detected: 'empty' });
    expect(sniffContainer(Uint8Array.from([1, 2, 3, 0, 250, 251, 0, 9, 8, 7, 6, 5]))).toMatchObject({
      ok: false,
      detected: 'unknown',
    });
  });
});

describe('walkTopLevelBoxes', () => {
  const complete = concat(ftyp('isom', 'isom'), box('moov', [0, 0, 0, 0]), box('mdat', new Uint8Array(100)));

  it('accepts a file whose boxes tile it exactly and include moov and mdat', async () => {
    const walk = await walkTopLevelBoxes(reader(complete), complete.length);
    expect(walk.ok).toBe(true);
    expect(walk.boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
  });

  it('finds a truncated file: the last box runs past the end', async () => {
    const truncated = complete.subarray(0, complete.length - 40);
    const walk = await walkTopLevelBoxes(reader(truncated), truncated.length);
    expect(walk).toMatchObject({ ok: false, truncated: true });
    if (!walk.ok)
      expect(walk.reason).toMatch(
        /^The upload is incomplete or damaged: the "mdat" section needs \d+ bytes but the file has only \d+\. Upload the complete file again/,
      );
  });

  it('finds a recording that never got its index (no moov)', async () => {
    const noIndex = concat(ftyp('isom'), box('mdat', new Uint8Array(20)));
    const walk = await walkTopLevelBoxes(reader(noIndex), noIndex.length);
    expect(walk.ok).toBe(false);
    if (!walk.ok) expect(walk.reason).toContain('no index');
  });

  it('reads 64-bit box sizes and boxes that run to the end of the file', async () => {
    const large = Uint8Array.from([
      0,
      0,
      0,
      1,
      ...ascii('mdat'),
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      24,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
    ]);
    expect(parseBoxHeader(large, 0)).toEqual({ type: 'mdat', offset: 0, size: 24, headerSize: 16 });
    const toEnd = concat(ftyp('isom'), box('moov'), Uint8Array.from([0, 0, 0, 0, ...ascii('mdat'), 9, 9, 9]));
    expect((await walkTopLevelBoxes(reader(toEnd), toEnd.length)).ok).toBe(true);
  });

  it('refuses garbage where a box header should be', async () => {
    const garbage = concat(ftyp('isom'), Uint8Array.from([0, 0, 0, 3, 0, 1, 2, 3]));
    const walk = await walkTopLevelBoxes(reader(garbage), garbage.length);
    expect(walk.ok).toBe(false);
  });
});
