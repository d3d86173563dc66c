/**
 * RFC 1035 messages: parse any message from untrusted bytes (bounded,
 * throwing DnsFormatError), encode one with name compression, and cut an
 * answer that does not fit a UDP reply down to a truncated (TC) one. EDNS0
 * (RFC 6891) is read from and written as the OPT record, kept apart from
 * the additional section.
 */
import { DnsFormatError, WireReader, WireWriter } from './dns-wire.ts';

/** Record type codes this server knows by name. */
export const RR_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const CLASS_IN = 1;

/** Response codes (RFC 1035 4.1.1). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

/** The largest message: TCP's 16-bit length prefix. */
export const MAX_MESSAGE_BYTES = 65_535;
/** The UDP limit of a client without EDNS (RFC 1035 4.2.1). */
export const CLASSIC_UDP_BYTES = 512;

export type RecordData =
  | { type: 'A'; address: string }
  | { type: 'CNAME' | 'PTR' | 'NS'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | {
      type: 'SOA';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  /** Any other type, its RDATA kept as bytes (names inside it are not decompressed). */
  | { type: 'RAW'; code: number; rdata: Uint8Array };

export interface ResourceRecord {
  name: string;
  /** CLASS_IN unless told. */
  class?: number;
  ttl: number;
  data: RecordData;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface DnsHeader {
  id: number;
  /** true in a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits; EDNS carries the high bits in `edns.extendedRcode`. */
  rcode: number;
}

/** EDNS0 as the OPT pseudo-record carries it; its options are not kept. */
export interface Edns {
  udpSize: number;
  extendedRcode: number;
  version: number;
  dnssecOk: boolean;
}

export interface DnsMessage {
  header: DnsHeader;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

const NAMED_TYPES: Record<string, number> = {
  A: RR_TYPE.A,
  NS: RR_TYPE.NS,
  CNAME: RR_TYPE.CNAME,
  SOA: RR_TYPE.SOA,
  PTR: RR_TYPE.PTR,
  SRV: RR_TYPE.SRV,
};

/** The type code of record data. */
export function typeCode(d: RecordData): number {
  return d.type === 'RAW' ? d.code : (NAMED_TYPES[d.type] ?? 0);
}

/** A header with every flag off. */
export function emptyHeader(id: number): DnsHeader {
  const f = false;
  return { id, qr: f, opcode: 0, aa: f, tc: f, rd: f, ra: f, ad: f, cd: f, rcode: 0 };
}

/**
 * Parses a whole message. `input` is untrusted: anything but a Uint8Array
 * of 12 to 65,535 bytes whose counts, names and lengths all fit is a
 * DnsFormatError, thrown before any large allocation.
 */
export function parseMessage(input: unknown): DnsMessage {
  if (!(input instanceof Uint8Array)) throw new DnsFormatError('a DNS message must be bytes');
  if (input.length < 12) throw new DnsFormatError(`message of ${input.length} bytes is too short`);
  if (input.length > MAX_MESSAGE_BYTES) throw new DnsFormatError('message longer than 65535');
  const r = new WireReader(input);
  const header = parseHeader(r.u16(), r.u16());
  const [qd, an, ns, ar] = [r.u16(), r.u16(), r.u16(), r.u16()];
  // Each question takes at least 5 bytes and each record 11: refuse counts the bytes cannot hold.
  if (qd * 5 + (an + ns + ar) * 11 > r.remaining) {
    throw new DnsFormatError('section counts exceed the message length');
  }
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const answers = readRecords(r, an) as ResourceRecord[];
  const authority = readRecords(r, ns) as ResourceRecord[];
  const rest = readRecords(r, ar, true);
  if (r.remaining !== 0) throw new DnsFormatError(`${r.remaining} bytes after the last record`);
  const msg: DnsMessage = { header, questions, answers, authority, additional: [] };
  for (const rr of rest) {
    if ('edns' in rr) {
      if (msg.edns) throw new DnsFormatError('more than one OPT record');
      msg.edns = rr.edns;
    } else msg.additional.push(rr);
  }
  return msg;
}

/** Encodes a message, compressing names (but not SRV targets, RFC 2782). */
export function encodeMessage(msg: DnsMessage): Uint8Array {
  const w = new WireWriter();
  const h = msg.header;
  const flags =
    (h.qr ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.aa ? 0x0400 : 0) |
    (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.ad ? 0x0020 : 0) |
    (h.cd ? 0x0010 : 0) |
    (h.rcode & 0xf);
  const additionalCount = msg.additional.length + (msg.edns ? 1 : 0);
  for (const v of [h.id, flags, msg.questions.length, msg.answers.length]) w.u16(v);
  w.u16(msg.authority.length);
  w.u16(additionalCount);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...msg.answers, ...msg.authority, ...msg.additional]) writeRecord(w, rr);
  if (msg.edns) {
    const e = msg.edns;
    w.u8(0); // the root name
    w.u16(RR_TYPE.OPT);
    w.u16(e.udpSize);
    w.u32(
      (e.extendedRcode & 0xff) * 0x1000000 +
        (e.version & 0xff) * 0x10000 +
        (e.dnssecOk ? 0x8000 : 0),
    );
    w.u16(0);
  }
  if (w.length > MAX_MESSAGE_BYTES) throw new DnsFormatError('message longer than 65535 bytes');
  return w.finish();
}

/**
 * Encodes `msg`; when that is longer than `maxBytes`, encodes it again
 * with TC set and no records (question and OPT kept), so the client
 * retries over TCP (RFC 2181 9).
 */
export function encodeWithin(msg: DnsMessage, maxBytes: number): Uint8Array {
  const full = encodeMessage(msg);
  if (full.length <= maxBytes) return full;
  return encodeMessage({
    ...msg,
    header: { ...msg.header, tc: true },
    answers: [],
    authority: [],
    additional: [],
  });
}

function parseHeader(id: number, flags: number): DnsHeader {
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
  };
}

type ParsedRecord = ResourceRecord | { edns: Edns };

function readRecords(r: WireReader, count: number, allowOpt = false): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const type = r.u16();
    const klass = r.u16();
    const ttl = r.u32();
    const rdlength = r.u16();
    if (rdlength > r.remaining) throw new DnsFormatError('record data runs past the end');
    const end = r.pos + rdlength;
    if (type === RR_TYPE.OPT) {
      if (!allowOpt) throw new DnsFormatError('OPT record outside the additional section');
      if (name !== '') throw new DnsFormatError('OPT record not owned by the root');
      r.pos = end; // options are skipped, not kept
      const edns = {
        udpSize: klass,
        extendedRcode: Math.floor(ttl / 0x1000000),
        version: (ttl >>> 16) & 0xff,
        dnssecOk: (ttl & 0x8000) !== 0,
      };
      out.push({ edns });
      continue;
    }
    const data = readData(r, type, rdlength);
    if (r.pos !== end) throw new DnsFormatError(`type ${type} record data has the wrong length`);
    out.push({ name, class: klass, ttl, data });
  }
  return out;
}

function readData(r: WireReader, type: number, rdlength: number): RecordData {
  switch (type) {
    case RR_TYPE.A:
      if (rdlength !== 4) throw new DnsFormatError('A record data is not 4 bytes');
      return { type: 'A', address: Array.from(r.bytes(4)).join('.') };
    case RR_TYPE.CNAME:
      return { type: 'CNAME', target: r.name() };
    case RR_TYPE.PTR:
      return { type: 'PTR', target: r.name() };
    case RR_TYPE.NS:
      return { type: 'NS', target: r.name() };
    case RR_TYPE.SRV:
      return { type: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case RR_TYPE.SOA:
      return {
        type: 'SOA',
        mname: r.name(),
        rname: r.name(),
        serial: r.u32(),
        refresh: r.u32(),
        retry: r.u32(),
        expire: r.u32(),
        minimum: r.u32(),
      };
    default:
      return { type: 'RAW', code: type, rdata: r.bytes(rdlength) };
  }
}

function writeRecord(w: WireWriter, rr: ResourceRecord): void {
  const d = rr.data;
  w.name(rr.name);
  w.u16(typeCode(d));
  w.u16(rr.class ?? CLASS_IN);
  w.u32(rr.ttl);
  const lengthAt = w.length;
  w.u16(0);
  const start = w.length;
  switch (d.type) {
    case 'A':
      w.bytes(ipv4Bytes(d.address));
      break;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      w.name(d.target);
      break;
    case 'SRV':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      w.name(d.target, false);
      break;
    case 'SOA':
      w.name(d.mname);
      w.name(d.rname);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v);
      break;
    case 'RAW':
      w.bytes(d.rdata);
      break;
  }
  w.patchU16(lengthAt, w.length - start);
}

function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new DnsFormatError(`"${address}" is not an IPv4 address`);
  }
  return Uint8Array.from(parts.map(Number));
}
