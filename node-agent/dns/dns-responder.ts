/**
 * One query in, one answer out (no sockets): cluster names from the
 * ClusterIndex, everything else forwarded upstream byte for byte.
 *
 * - Fewer than 12 bytes, or a message with QR set: dropped (no answer, so
 *   two servers never bounce replies at each other).
 * - Unparseable: FORMERR with the query's ID. Not a standard QUERY:
 *   NOTIMP. Not exactly one question: FORMERR.
 * - A cluster name before both informers listed: SERVFAIL (the client
 *   retries) rather than a false NXDOMAIN. Zone transfers: REFUSED.
 * - Upstream failure (timeout, refused, no upstream): SERVFAIL.
 * - UDP answers larger than the client's limit (512, or its EDNS size up
 *   to 4096) are sent truncated (TC), so it retries over TCP.
 */
import type { Logger } from '../../control-plane/api/log.ts';
import type { ClusterIndex } from './cluster-index.ts';
import {
  CLASS_IN,
  CLASSIC_UDP_BYTES,
  MAX_MESSAGE_BYTES,
  RCODE,
  RR_TYPE,
  emptyHeader,
  encodeMessage,
  encodeWithin,
  parseMessage,
  type DnsMessage,
  type Question,
  type ResourceRecord,
} from './dns-message.ts';

/** The EDNS payload size this server advertises (the DNS flag day 2020 value). */
export const SERVER_UDP_BYTES = 1232;
/** The largest UDP answer it sends, whatever a client advertises. */
const MAX_UDP_BYTES = 4096;

export type Transport = 'udp' | 'tcp';

export interface ResponderDeps {
  index: ClusterIndex;
  /** True once Services and Endpoints have both been listed. */
  synced: () => boolean;
  /** Sends query bytes upstream, resolving the answer's bytes; rejects when none answers. */
  forward: (query: Uint8Array, transport: Transport) => Promise<Uint8Array>;
  log: Logger;
}

/** The answer's bytes for `bytes`, or undefined to send nothing. Never throws. */
export async function respond(
  bytes: Uint8Array,
  transport: Transport,
  d: ResponderDeps,
): Promise<Uint8Array | undefined> {
  if (bytes.length < 12 || (bytes[2]! & 0x80) !== 0) return undefined;
  let query: DnsMessage;
  try {
    query = parseMessage(bytes);
  } catch (err) {
    d.log.debug('Malformed DNS query', { err: err as Error, bytes: bytes.length });
    return formErr(bytes);
  }
  const q = query.questions[0];
  try {
    if (query.header.opcode !== 0) return reply(query, transport, RCODE.NOTIMP);
    if (!q || query.questions.length !== 1) return reply(query, transport, RCODE.FORMERR);
    if (query.edns && query.edns.version > 0) return reply(query, transport, 16); // BADVERS
    const local = q.class === CLASS_IN || q.class === RR_TYPE.ANY;
    const found = local ? d.index.lookup(q.name, q.type) : undefined;
    if (!found) return await forward(bytes, query, transport, d);
    if (!d.synced()) return reply(query, transport, RCODE.SERVFAIL);
    if (q.type === RR_TYPE.AXFR || q.type === RR_TYPE.IXFR) {
      return reply(query, transport, RCODE.REFUSED);
    }
    const answers = [...found.answers];
    if (found.chase) answers.push(...(await chase(found.chase, q, d)));
    return reply(query, transport, found.rcode, {
      aa: true,
      answers,
      authority: found.authority,
      additional: found.additional,
    });
  } catch (err) {
    d.log.warn('DNS query failed', { err: err as Error, name: q?.name, type: q?.type });
    return reply(query, transport, RCODE.SERVFAIL);
  }
}

async function forward(
  bytes: Uint8Array,
  query: DnsMessage,
  transport: Transport,
  d: ResponderDeps,
): Promise<Uint8Array> {
  try {
    return await d.forward(bytes, transport);
  } catch (err) {
    const q = query.questions[0];
    d.log.warn('Upstream DNS failed', { err: err as Error, name: q?.name, type: q?.type });
    return reply(query, transport, RCODE.SERVFAIL);
  }
}

// An ExternalName's target resolved upstream, as CoreDNS does; on failure the CNAME stands alone.
async function chase(target: string, q: Question, d: ResponderDeps): Promise<ResourceRecord[]> {
  const id = Math.floor(Math.random() * 0x10000);
  const header = { ...emptyHeader(id), rd: true };
  const ask = encodeMessage({
    header,
    questions: [{ name: target, type: q.type, class: CLASS_IN }],
    answers: [],
    authority: [],
    additional: [],
  });
  try {
    const answer = parseMessage(await d.forward(ask, 'udp'));
    if (answer.header.id !== id || answer.header.rcode !== RCODE.NOERROR) return [];
    return answer.answers;
  } catch (err) {
    d.log.debug('Could not resolve an ExternalName target', { target, err: err as Error });
    return [];
  }
}

function reply(
  query: DnsMessage,
  transport: Transport,
  rcode: number,
  body: Partial<Pick<DnsMessage, 'answers' | 'authority' | 'additional'>> & { aa?: boolean } = {},
): Uint8Array {
  const h = query.header;
  const msg: DnsMessage = {
    header: {
      ...emptyHeader(h.id),
      qr: true,
      opcode: h.opcode,
      aa: body.aa ?? false,
      rd: h.rd,
      ra: true,
      cd: h.cd,
      rcode: rcode & 0xf,
    },
    questions: query.questions.slice(0, 1),
    answers: body.answers ?? [],
    authority: body.authority ?? [],
    additional: body.additional ?? [],
  };
  if (query.edns) {
    msg.edns = {
      udpSize: SERVER_UDP_BYTES,
      extendedRcode: rcode >> 4,
      version: 0,
      dnssecOk: false,
    };
  }
  return encodeWithin(msg, maxAnswerBytes(query, transport));
}

function maxAnswerBytes(query: DnsMessage, transport: Transport): number {
  if (transport === 'tcp') return MAX_MESSAGE_BYTES;
  const size = query.edns?.udpSize ?? CLASSIC_UDP_BYTES;
  return Math.min(Math.max(size, CLASSIC_UDP_BYTES), MAX_UDP_BYTES);
}

// FORMERR for bytes that did not parse: only the header is trusted, no question is echoed.
function formErr(bytes: Uint8Array): Uint8Array {
  const id = (bytes[0]! << 8) | bytes[1]!;
  const header = {
    ...emptyHeader(id),
    qr: true,
    opcode: (bytes[2]! >> 3) & 0xf,
    rd: (bytes[2]! & 1) !== 0,
    ra: true,
    rcode: RCODE.FORMERR,
  };
  return encodeMessage({ header, questions: [], answers: [], authority: [], additional: [] });
}
