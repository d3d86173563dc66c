/**
 * The protobuf wire format, read-only: the few primitives needed to walk a
 * message (field keys, varints, length-delimited bytes, fixed 32/64-bit).
 * Malformed input throws WireError; the caller turns it into a 400.
 */

export class WireError extends Error {
  override name = 'WireError';
}

/** One field occurrence: its number and raw value. */
export type WireField =
  | { num: number; wire: 0; value: bigint }
  | { num: number; wire: 2; value: Uint8Array }
  | { num: number; wire: 1 | 5; value: Uint8Array };

/** Every field of one message, in wire order. */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new WireError('truncated varint');
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new WireError('varint longer than 10 bytes');
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > buf.length)
      throw new WireError('field runs past the end of its message');
    const v = buf.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  while (pos < buf.length) {
    const key = varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (num === 0) throw new WireError('field number 0');
    switch (wire) {
      case 0:
        out.push({ num, wire: 0, value: varint() });
        break;
      case 1:
        out.push({ num, wire: 1, value: take(8) });
        break;
      case 2:
        out.push({ num, wire: 2, value: take(Number(varint())) });
        break;
      case 5:
        out.push({ num, wire: 5, value: take(4) });
        break;
      default:
        throw new WireError(`unsupported wire type ${wire} (field ${num})`);
    }
  }
  return out;
}

/** A varint as a signed 64-bit number (int32/int64 fields; negatives use 10 bytes). */
export function toInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** The varints of a packed repeated scalar field. */
export function readPacked(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new WireError('truncated packed varint');
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
      if (shift > 63n) throw new WireError('packed varint too long');
    }
    out.push(result);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A string field's text (400 for invalid UTF-8, as Go's proto decoder refuses it). */
export function toText(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new WireError('string field is not valid UTF-8');
  }
}
