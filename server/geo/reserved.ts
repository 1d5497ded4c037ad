/**
 * Addresses that say nothing about where a person is (IANA special-purpose registries):
 * they are answered as unknown/private-range and never looked up in the database.
 */
import { createCidrSet } from './cidr.js';
import type { ParsedIp } from './ip.js';

/** The reserved blocks, with the reason each is here. */
export const RESERVED_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // CGNAT shared address space, RFC 6598
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1 documentation
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2 documentation
  '203.0.113.0/24', // TEST-NET-3 documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. limited broadcast 255.255.255.255
  '::/128', // unspecified
  '::1/128', // loopback
  '::/96', // deprecated IPv4-compatible
  '64:ff9b:1::/48', // local-use NAT64, RFC 8215
  '100::/64', // discard-only
  '2001:2::/48', // benchmarking
  '2001:10::/28', // deprecated ORCHID
  '2001:20::/28', // ORCHIDv2
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation, RFC 9637
  '5f00::/16', // SRv6 SIDs, RFC 9602
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
];

const reserved = createCidrSet(RESERVED_RANGES);

/** True for private, loopback, link-local, CGNAT, documentation and other non-public addresses. */
export function isReservedAddress(ip: ParsedIp): boolean {
  return reserved.has(ip);
}
