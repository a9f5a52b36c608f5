/**
 * What a trusted proxy says about the client (ENV-REMOTE-2): `Forwarded`
 * (RFC 7239) or, when that is absent, `X-Forwarded-For/-Proto/-Host/-Port`.
 * @module
 */
import { isIP } from 'node:net';
import { normalizeAddress, type TrustedProxies } from './trusted-proxies.js';

/** The forwarding header fields of one request, repeats joined by `", "`. */
export interface ForwardingHeaders {
  forwarded?: string | undefined;
  xForwardedFor?: string | undefined;
  xForwardedProto?: string | undefined;
  xForwardedHost?: string | undefined;
  xForwardedPort?: string | undefined;
}

/** The request as the client made it, according to the trusted proxies. */
export interface ClientOrigin {
  /** REMOTE_ADDR: the first untrusted address walking back from the peer. */
  remoteAddr: string;
  /** REMOTE_PORT: the peer's while the address is the peer's, else the port the proxy gave, if any. */
  remotePort: string | undefined;
  /** tsgi.url_scheme the client used, when a proxy said so. */
  scheme: 'http' | 'https' | undefined;
  /** The authority the client addressed (`host` or `host:port`), when a proxy said so. */
  host: string | undefined;
  /** SERVER_PORT from X-Forwarded-Port, when given. */
  port: string | undefined;
}

type Element = Map<string, string>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits `Forwarded` into elements of lower-cased parameters; null when malformed (RFC 7239 §4). */
export function parseForwarded(value: string): Element[] | null {
  const elements: Element[] = [];
  let current: Element = new Map();
  let i = 0;
  const n = value.length;
  for (;;) {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i >= n) break;
    if (value[i] === ',' || value[i] === ';') {
      if (value[i] === ',') {
        elements.push(current);
        current = new Map();
      }
      i++;
      continue;
    }
    const eq = value.indexOf('=', i);
    if (eq === -1) return null;
    const name = value.slice(i, eq).toLowerCase();
    if (!TOKEN.test(name) || current.has(name)) return null; // a parameter appears once per element (§4)
    i = eq + 1;
    let paramValue: string;
    if (value[i] === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= n) return null;
        const c = value[i]!;
        if (c === '"') { i++; break; }
        if (c === '\\') { i++; if (i >= n) return null; }
        text += value[i]!;
        i++;
      }
      paramValue = text;
    } else {
      let end = i;
      while (end < n && value[end] !== ',' && value[end] !== ';' && value[end] !== ' ' && value[end] !== '\t') end++;
      paramValue = value.slice(i, end);
      if (!TOKEN.test(paramValue)) return null;
      i = end;
    }
    current.set(name, paramValue);
  }
  elements.push(current);
  return elements;
}

/** An address with an optional port, as in `for=` or X-Forwarded-For: `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`. */
export function parseNode(node: string): { address: string; port: string | undefined } | null {
  let address = node.trim();
  let port: string | undefined;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close === -1) return null;
    const rest = address.slice(close + 1);
    address = address.slice(1, close);
    if (rest !== '') {
      if (!/^:\d{1,5}$/.test(rest)) return null;
      port = rest.slice(1);
    }
    if (isIP(address) !== 6) return null;
  } else if (isIP(address) === 0) {
    const colon = address.lastIndexOf(':');
    if (colon === -1 || address.indexOf(':') !== colon) return null; // bare IPv6 has several colons
    port = address.slice(colon + 1);
    address = address.slice(0, colon);
    if (!/^\d{1,5}$/.test(port) || isIP(address) !== 4) return null;
  }
  if (port !== undefined && Number(port) > 65535) return null;
  return { address: normalizeAddress(address), port: port === undefined ? undefined : String(Number(port)) };
}

function schemeOf(value: string | undefined): 'http' | 'https' | undefined {
  const v = value?.trim().toLowerCase();
  return v === 'http' || v === 'https' ? v : undefined;
}

function listItem(value: string | undefined, hops: number): string | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',');
  // Each proxy in the chain appends one entry; the one the edge proxy wrote sits `hops` from the right.
  const item = items[Math.max(0, items.length - hops)]!.trim();
  return item === '' ? undefined : item;
}

/**
 * Walks the proxy chain from the peer towards the client: while the current
 * hop is trusted, the entry it appended names the previous hop. Stops at the
 * first untrusted address, which is the client (ENV-REMOTE-2). Returns null
 * when the peer is not trusted or sent nothing usable. `peer` is the socket's
 * address as `normalizeAddress` gives it, `peerPort` its port.
 */
export function resolveClientOrigin(
  peer: string,
  peerPort: string | undefined,
  headers: ForwardingHeaders,
  trusted: TrustedProxies,
): ClientOrigin | null {
  if (trusted.empty || !trusted.trusts(peer)) return null;
  if (headers.forwarded !== undefined) {
    const elements = parseForwarded(headers.forwarded);
    if (elements === null) return null;
    let address = peer;
    let port = peerPort;
    let chosen: Element | undefined;
    for (let i = elements.length - 1; i >= 0 && trusted.trusts(address); i--) {
      chosen = elements[i]!;
      const node = chosen.has('for') ? parseNode(chosen.get('for')!) : null;
      if (node === null) break; // "unknown", an obfuscated name or none: the client stays hidden
      address = node.address;
      port = node.port;
    }
    if (chosen === undefined) return null;
    return {
      remoteAddr: address,
      remotePort: port,
      scheme: schemeOf(chosen.get('proto')),
      host: chosen.get('host') || undefined,
      port: undefined,
    };
  }
  const { xForwardedFor, xForwardedProto, xForwardedHost, xForwardedPort } = headers;
  if (xForwardedFor === undefined && xForwardedProto === undefined && xForwardedHost === undefined && xForwardedPort === undefined) return null;
  let address = peer;
  let remotePort = peerPort;
  let hops = 0;
  if (xForwardedFor !== undefined) {
    const entries = xForwardedFor.split(',');
    for (let i = entries.length - 1; i >= 0 && trusted.trusts(address); i--) {
      const node = parseNode(entries[i]!);
      if (node === null) break;
      address = node.address;
      remotePort = node.port;
      hops++;
    }
  }
  hops = Math.max(hops, 1);
  const port = listItem(xForwardedPort, hops);
  return {
    remoteAddr: address,
    remotePort,
    scheme: schemeOf(listItem(xForwardedProto, hops)),
    host: listItem(xForwardedHost, hops),
    port: port !== undefined && /^\d{1,5}$/.test(port) && Number(port) <= 65535 ? String(Number(port)) : undefined,
  };
}
