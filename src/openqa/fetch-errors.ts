// One-line, actionable reasons for a failed `fetch` (Node 20's undici).
//
// undici rejects with `TypeError('fetch failed')` whose `cause` is the Node error that matters
// (`getaddrinfo ENOTFOUND x` with code ENOTFOUND, `connect ECONNREFUSED 127.0.0.1:80`, TLS errors
// with OpenSSL verify codes such as CERT_HAS_EXPIRED, or an AggregateError when several addresses
// were tried). AbortSignal.timeout rejects with a DOMException named 'TimeoutError'. Interceptors
// (nock 14 via @mswjs/interceptors) may reject with the bare error object instead of wrapping it,
// so both forms are handled.
import {clip} from '../parsers/errors.js';
import {formatSeconds} from '../format.js';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/** Node/OpenSSL codes of certificate and handshake failures that lack a telling prefix. */
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
]);

/** The reason for a fetch of `url` that threw `err` (from fetch itself or from reading the body). */
export function describeFetchFailure(err: unknown, url: URL, timeoutMs: number): string {
  const name = fieldOf(err, 'name');
  if (name === 'TimeoutError') return `no answer from ${url.href} within ${formatSeconds(timeoutMs)} s`;
  if (name === 'AbortError') return `request to ${url.href} was aborted`;

  const cause = underlying(err);
  const code = fieldOf(cause, 'code');
  const message = oneLine(fieldOf(cause, 'message') ?? String(cause));

  if (code !== undefined && DNS_CODES.has(code)) return `cannot resolve host name ${url.hostname} (${code}) for ${url.href}`;
  if (code === 'ECONNREFUSED') {
    const address = fieldOf(cause, 'address');
    const port = fieldOf(cause, 'port');
    const host = address !== undefined && address.includes(':') ? `[${address}]` : address;
    const where = host !== undefined ? (port !== undefined ? `${host}:${port}` : host) : url.host;
    return `connection refused by ${where} for ${url.href}`;
  }
  if (code !== undefined && isTlsCode(code)) return `TLS failure for ${url.href}: ${message} (${code})`;
  if (code !== undefined) return `network error for ${url.href}: ${message} (${code})`;
  return `request to ${url.href} failed: ${message}`;
}

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT');
}

/** The error that explains the failure: undici's `cause`, or the first coded error of an AggregateError. */
function underlying(err: unknown): unknown {
  let e: unknown = err;
  const cause = fieldOfUnknown(e, 'cause');
  if (cause !== undefined && cause !== null) e = cause;
  if (fieldOf(e, 'code') === undefined) {
    const errors = fieldOfUnknown(e, 'errors');
    if (Array.isArray(errors)) {
      const coded = errors.find((x) => fieldOf(x, 'code') !== undefined);
      if (coded !== undefined) return coded;
    }
  }
  return e;
}

function fieldOfUnknown(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

/** A string or number property as a string; undefined when absent or of another type. */
function fieldOf(v: unknown, key: string): string | undefined {
  const f = fieldOfUnknown(v, key);
  if (typeof f === 'string' && f !== '') return f;
  if (typeof f === 'number') return String(f);
  return undefined;
}

export function oneLine(text: string, max = 200): string {
  return clip(text.replace(/\s+/g, ' ').trim(), max);
}
