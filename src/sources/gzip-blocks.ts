// The gzip framing of snapshots tapdoctor writes: independent gzip members of GZIP_BLOCK input
// bytes each, every member's header carrying its own length in an FEXTRA subfield 'TD' (as BGZF,
// samtools' blocked gzip, does with 'BC'). A reader finds the members without inflating a byte and
// inflates several at once (archive.ts); to any other gzip reader it is one stream, since RFC 1952
// lets members follow each other (gzip -d, tar -xzf and older tapdoctor read it unchanged).
import {gzipSync} from 'node:zlib';

/** Input bytes per member: what one inflate step of the reader yields at most. */
export const GZIP_BLOCK = 4 * 1024 * 1024;

const FEXTRA = 0x04;
/** XLEN, then the subfield: 'T' 'D', LEN 4, the member's length (little-endian, as all of gzip). */
const EXTRA_BYTES = 2 + 4 + 4;
/** Header (10) + extra field + the smallest deflate body (2) + trailer (CRC32, ISIZE). */
const SMALLEST_MEMBER = 10 + EXTRA_BYTES + 2 + 8;

/** `data` as blocked gzip. Deterministic: the same bytes in, the same bytes out. */
export function gzipBlocks(data: Buffer, level = 9): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off === 0 || off < data.length; off += GZIP_BLOCK) {
    parts.push(blockMember(gzipSync(data.subarray(off, off + GZIP_BLOCK), {level})));
  }
  return Buffer.concat(parts);
}

/** A gzip member as gzipBlocks frames it: FEXTRA set, the 'TD' subfield with the member's length. */
export function blockMember(gz: Buffer): Buffer {
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] = header[3]! | FEXTRA;
  const extra = Buffer.alloc(EXTRA_BYTES);
  extra.writeUInt16LE(EXTRA_BYTES - 2, 0);
  extra.write('TD', 2, 'latin1');
  extra.writeUInt16LE(4, 4);
  extra.writeUInt32LE(gz.length + EXTRA_BYTES, 6);
  return Buffer.concat([header, extra, gz.subarray(10)]);
}

/**
 * Where each member of a blocked gzip starts and ends, or undefined when `bytes` is not one made
 * by gzipBlocks from start to end (any other gzip, a truncated or altered one): the reader then
 * inflates it as one stream, which judges it as before. Reads headers only.
 */
export function gzipBlockSpans(bytes: Buffer): Array<[number, number]> | undefined {
  const spans: Array<[number, number]> = [];
  for (let at = 0; at < bytes.length; ) {
    const length = memberLength(bytes, at);
    if (length === undefined || at + length > bytes.length) return undefined;
    spans.push([at, at + length]);
    at += length;
  }
  return spans.length > 0 ? spans : undefined;
}

function memberLength(b: Buffer, at: number): number | undefined {
  if (at + 10 + EXTRA_BYTES > b.length) return undefined;
  // Deflate, FEXTRA alone (gzipBlocks writes no name, comment or header CRC), our subfield first.
  if (b[at] !== 0x1f || b[at + 1] !== 0x8b || b[at + 2] !== 8 || b[at + 3] !== FEXTRA) return undefined;
  if (b.readUInt16LE(at + 10) !== EXTRA_BYTES - 2 || b[at + 12] !== 0x54 || b[at + 13] !== 0x44 || b.readUInt16LE(at + 14) !== 4) return undefined;
  const length = b.readUInt32LE(at + 16);
  return length >= SMALLEST_MEMBER ? length : undefined;
}
