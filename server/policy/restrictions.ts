/** Country restrictions (instance, host account, meeting): "block these" or "allow only these". */
import type { RemovalNotice } from '../../protocol/signaling.js';
import type { MeetingRecord, ParticipantLocation } from '../meetings/index.js';
import { restrictionKey, type PolicyContext } from './context.js';
import type { Restriction, RestrictionScope } from './types.js';

/** No restriction: everyone, from anywhere, including unknown locations. */
export const OPEN_RESTRICTION: Restriction = { mode: 'block', countries: [], unknown: 'allow' };

/**
 * One level's answer for one location. Unknown locations (private ranges, missing entries,
 * anonymisers) follow `unknown`, whatever the mode: "allow only these" never silently admits
 * or refuses them.
 */
export function restrictionRefuses(r: Restriction, location: Pick<ParticipantLocation, 'status' | 'country'>): boolean {
  if (location.status !== 'known' || location.country === null) return r.unknown === 'block';
  const listed = r.countries.includes(location.country);
  return r.mode === 'block' ? listed : !listed;
}

/** The levels that apply to a meeting, broadest first. */
export function levelsFor(meeting: Pick<MeetingRecord, 'id' | 'hostUserId'>): [RestrictionScope, string][] {
  return [
    ['instance', ''],
    ['account', meeting.hostUserId],
    ['meeting', meeting.id],
  ];
}

/** The first level that refuses this location, as a deny decision; null when all allow. */
export function restrictionDecision(
  ctx: PolicyContext,
  meeting: Pick<MeetingRecord, 'id' | 'hostUserId'>,
  location: ParticipantLocation,
): { rule: string; reason: string; notice: RemovalNotice } | null {
  for (const [scope, subject] of levelsFor(meeting)) {
    const r = ctx.restrictions.get(restrictionKey(scope, subject));
    if (!r || !restrictionRefuses(r, location)) continue;
    const notice: RemovalNotice = { kind: 'location' };
    if (location.status === 'known' && location.country !== null) notice.country = location.country;
    const where = location.country ?? `an unknown location (${location.reason ?? 'unknown'})`;
    return { rule: `restriction:${scope}`, reason: `the ${scope} country restriction excludes ${where}`, notice };
  }
  return null;
}
