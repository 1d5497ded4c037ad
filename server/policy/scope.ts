/**
 * THE scope check. Every enforcement path in policy/ — refusing a join, removing participants
 * when a demand is approved, re-checking after a location change, refusing account use —
 * asks this one function whether a demand may act on a location. Nothing else decides scope.
 *
 * A demand reaches a participant only when their location is known and its country is the
 * demand's own jurisdiction, compared exactly (CN, HK, MO and TW are different codes).
 * An unknown location (private range, missing from the database, anonymiser, invalid
 * address) is never in scope: a demand is not allowed to act on a guess. Instance, host and
 * meeting country restrictions are where "deny unknown" can be chosen — never a demand.
 */
export function inScope(
  demand: { readonly jurisdiction: string },
  location: { readonly status: 'known' | 'unknown'; readonly country: string | null },
): boolean {
  return location.status === 'known' && location.country !== null && location.country === demand.jurisdiction;
}
