/**
 * The list of peers whose forwarding headers a server believes (ENV-REMOTE-2):
 * addresses, CIDR ranges and the names `loopback` and `unix`.
 * @module
 */
import { BlockList, isIP } from 'node:net';

/** Trusts 127.0.0.0/8 and ::1, as gunicorn's default `forwarded_allow_ips`. */
export const TRUST_LOOPBACK = 'loopback';
/** Trusts every peer on a unix-domain socket (a front-end on the same host). */
export const TRUST_UNIX = 'unix';

/** A parsed list of trusted proxies. */
export interface TrustedProxies {
  /** True when the list is empty: no forwarding header is ever believed. */
  readonly empty: boolean;
  /** Whether `address` (as from `normalizeAddress`; `""` for a unix-socket peer) is trusted. */
  trusts(address: string): boolean;
}

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * A peer address as REMOTE_ADDR shows it (ENV-REMOTE-1): an IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`, what a dual-stack socket reports for an IPv4
 * client) becomes the IPv4 address the client really has; no address (a
 * unix-domain socket) becomes `""`.
 */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  if (address.length > 7 && address.charCodeAt(0) === 0x3a /* : */) {
    const m = MAPPED_V4.exec(address);
    if (m) return m[1]!;
  }
  return address;
}

/** Why `entry` is not a valid trusted-proxy entry, or null when it is. */
export function trustedProxyProblem(entry: string): string | null {
  if (entry === TRUST_LOOPBACK || entry === TRUST_UNIX) return null;
  const slash = entry.indexOf('/');
  const raw = slash === -1 ? entry : entry.slice(0, slash);
  const address = normalizeAddress(raw);
  const family = isIP(address);
  if (family === 0) return `${JSON.stringify(entry)} is not an IP address, a CIDR range, "loopback" or "unix"`;
  if (slash !== -1) {
    const bits = entry.slice(slash + 1);
    // An IPv4-mapped range keeps its IPv6 prefix length (96..128).
    const [min, max] = family === 6 ? [0, 128] : address !== raw ? [96, 128] : [0, 32];
    if (!/^\d{1,3}$/.test(bits) || Number(bits) < min || Number(bits) > max) {
      return `${JSON.stringify(entry)} has a prefix length outside ${min}..${max}`;
    }
  }
  return null;
}

/** Parses the entries; throws on the first invalid one (validate with trustedProxyProblem first). */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  let unix = false;
  let any = false;
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new TypeError(problem);
    any = true;
    if (entry === TRUST_UNIX) {
      unix = true;
    } else if (entry === TRUST_LOOPBACK) {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else {
      const slash = entry.indexOf('/');
      const raw = slash === -1 ? entry : entry.slice(0, slash);
      const address = normalizeAddress(raw);
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (slash === -1) {
        list.addAddress(address, type);
      } else {
        let bits = Number(entry.slice(slash + 1));
        // `::ffff:10.0.0.0/104` is the IPv4 range 10.0.0.0/8 once unmapped.
        if (address !== raw) bits -= 96;
        list.addSubnet(address, bits, type);
      }
    }
  }
  return {
    empty: !any,
    trusts(address: string): boolean {
      if (address === '') return unix;
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
