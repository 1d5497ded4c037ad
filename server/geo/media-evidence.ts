/**
 * The one rule for what a media path says about where a participant is (issue 10; docs/geo.md,
 * "Media-path evidence"). The signaling connection's address, resolved through trusted proxies
 * only, is the location. A media path is a second, weaker opinion: ICE picks whatever pair
 * works, through a TURN relay, a VPN or a corporate proxy the person never chose. So:
 *
 * 1. a relay candidate is the TURN server's address, never the participant's;
 * 2. an address of a configured ICE server, or in MEDIA_IGNORE_CIDRS, is infrastructure;
 * 3. a private, loopback or otherwise reserved address says nothing (as the locator judges it);
 * 4. anything else is evidence, and when it disagrees with the location the participant
 *    already has, it is noted and NOT acted on: every move between countries is a move into
 *    some jurisdiction, and the threat model forbids weak or disagreeing evidence to move anyone
 *    into one that may have a demand or restriction against it (being missed is the lesser error).
 *    A new location comes only from the signaling path (a reconnect is located again at join).
 */
import { createCidrSet, type CidrSet } from './cidr.js';
import { parseIp } from './ip.js';
import type { Location } from './types.js';

/** The remote end of a media path as ICE selected it. */
export interface MediaPath {
  address: string;
  candidateType: 'host' | 'srflx' | 'prflx' | 'relay' | 'unknown';
}

/** What a media path is worth: ignored (and why), agreeing, or disagreeing (noted, never acted on). */
export type MediaPathVerdict =
  | { kind: 'ignored'; reason: 'relay' | 'infrastructure' | 'private-range' | 'invalid-address' }
  | { kind: 'agrees'; country: string | null }
  | { kind: 'disagrees'; country: string | null; current: string | null };

/** Addresses that are infrastructure, never a participant: ICE servers' literal IPs and MEDIA_IGNORE_CIDRS. */
export function infrastructureSet(iceServerUrls: readonly string[], ignoreCidrs: readonly string[]): CidrSet {
  const literal: string[] = [];
  for (const url of iceServerUrls) {
    const host = /^(?:stuns?|turns?):(\[[^\]]+\]|[^:?]+)/.exec(url)?.[1]?.replace(/^\[|\]$/g, '');
    if (host !== undefined && parseIp(host) !== null) literal.push(host);
  }
  return createCidrSet([...literal, ...ignoreCidrs], 'MEDIA_IGNORE_CIDRS entry');
}

/**
 * Judge a media path against the participant's current location. `locate` is only called for
 * addresses that could count. Pure apart from `locate`.
 */
export function judgeMediaPath(path: MediaPath, current: Pick<Location, 'country'>, infra: CidrSet, locate: (address: string) => Location): MediaPathVerdict {
  if (path.candidateType === 'relay') return { kind: 'ignored', reason: 'relay' };
  if (parseIp(path.address) === null) return { kind: 'ignored', reason: 'invalid-address' };
  if (infra.has(path.address)) return { kind: 'ignored', reason: 'infrastructure' };
  const seen = locate(path.address);
  if (seen.reason === 'private-range' || seen.reason === 'invalid-address') return { kind: 'ignored', reason: seen.reason };
  if (seen.country === current.country) return { kind: 'agrees', country: seen.country };
  return { kind: 'disagrees', country: seen.country, current: current.country };
}
