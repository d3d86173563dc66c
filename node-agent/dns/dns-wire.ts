/**
 * The byte level of RFC 1035 messages: a bounds-checked reader, a growable
 * writer, and domain names with compression pointers (read: followed only
 * backwards and a bounded number of times; written: every suffix seen so
 * far is reused). Names are in presentation form without the trailing dot
 * ("" is the root); a label byte that is not a printable, dot-free ASCII
 * character is written as \DDD, as zone files do, so any wire name round
 * trips.
 */

/** A message that is not valid DNS wire format; the server answers FORMERR or drops it. */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

/** RFC 1035 2.3.4: 255 octets in wire form, 63 per label. */
export const MAX_NAME_OCTETS = 255;
export const MAX_LABEL_OCTETS = 63;
/** A legal name has at most 127 labels, so more jumps than that can only be a loop or abuse. */
const MAX_POINTER_JUMPS = 127;
/** Compression pointers hold 14 bits. */
const MAX_POINTER_OFFSET = 0x3fff;

/** Reads big-endian integers and names from a message, throwing DnsFormatError past its end. */
export class WireReader {
  readonly buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A possibly compressed name at the current position; the position moves past it. */
  name(): string {
    const labels: string[] = [];
    let at = this.pos;
    let end = -1; // where the reader continues: after the first pointer or the final zero
    let jumps = 0;
    let octets = 1;
    for (;;) {
      if (at >= this.buf.length) throw new DnsFormatError('name runs past the end of the message');
      const len = this.buf[at]!;
      if (len === 0) {
        if (end < 0) end = at + 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= this.buf.length) throw new DnsFormatError('truncated compression pointer');
        const target = ((len & 0x3f) << 8) | this.buf[at + 1]!;
        if (end < 0) end = at + 2;
        // Only backwards: every jump lands strictly earlier, so no loop is possible.
        if (target >= at) throw new DnsFormatError('compression pointer does not point backwards');
        if (++jumps > MAX_POINTER_JUMPS) throw new DnsFormatError('too many compression pointers');
        at = target;
        continue;
      }
      if (len & 0xc0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`);
      if (at + 1 + len > this.buf.length) throw new DnsFormatError('label runs past the end');
      octets += len + 1;
      if (octets > MAX_NAME_OCTETS) throw new DnsFormatError('name longer than 255 octets');
      labels.push(escapeLabel(this.buf.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    this.pos = end;
    return labels.join('.');
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new DnsFormatError(`message ends ${this.pos + n - this.buf.length} bytes too early`);
    }
  }
}

/** Appends big-endian integers and names, compressing names against those written before. */
export class WireWriter {
  private buf = new Uint8Array(512);
  private len = 0;
  private readonly suffixes = new Map<string, number>();

  get length(): number {
    return this.len;
  }

  u8(v: number): void {
    this.grow(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.u8(v >>> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000) & 0xffff);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Overwrites two bytes at `at` (an RDLENGTH written before its RDATA). */
  patchU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** Writes a name; with `compress`, a suffix already in the message becomes a pointer. */
  name(name: string, compress = true): void {
    const labels = nameLabels(name);
    for (let i = 0; i < labels.length; i++) {
      // Names compare case-insensitively (RFC 1035 2.3.3), so the table is keyed lower-case.
      const key = suffixKey(labels, i);
      const seen = this.suffixes.get(key);
      if (compress && seen !== undefined) {
        this.u16(0xc000 | seen);
        return;
      }
      if (this.len <= MAX_POINTER_OFFSET && !this.suffixes.has(key))
        this.suffixes.set(key, this.len);
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/**
 * The wire labels of a presentation-form name (\DDD and \X escapes undone).
 * Throws DnsFormatError for an empty label, a label over 63 octets or a
 * name over 255.
 */
export function nameLabels(name: string): Uint8Array[] {
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  if (text === '') return [];
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  let octets = 1;
  const close = (): void => {
    if (current.length === 0) throw new DnsFormatError(`empty label in name "${name}"`);
    if (current.length > MAX_LABEL_OCTETS) {
      throw new DnsFormatError(`label longer than 63 octets in name "${name}"`);
    }
    octets += current.length + 1;
    labels.push(Uint8Array.from(current));
    current = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) close();
    else if (c === 0x5c) {
      const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (digits && Number(digits[0]) <= 255) {
        current.push(Number(digits[0]));
        i += 3;
      } else if (i + 1 < text.length) current.push(text.charCodeAt(++i) & 0xff);
      else throw new DnsFormatError(`dangling escape in name "${name}"`);
    } else if (c > 0xff) throw new DnsFormatError(`non-ASCII character in name "${name}"`);
    else current.push(c);
  }
  close();
  if (octets > MAX_NAME_OCTETS) throw new DnsFormatError(`name "${name}" longer than 255 octets`);
  return labels;
}

/** The canonical lookup key of a name: lower-case, no trailing dot. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && !lower.endsWith('\\.') ? lower.slice(0, -1) : lower;
}

// Length-prefixed labels with ASCII folded to lower case: "a.b" as one label never collides with a, b.
function suffixKey(labels: Uint8Array[], from: number): string {
  let key = '';
  for (let i = from; i < labels.length; i++) {
    const l = labels[i]!;
    key += String.fromCharCode(l.length);
    for (const b of l) key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  }
  return key;
}

function escapeLabel(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b > 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out;
}
