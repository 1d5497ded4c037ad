/** What the roster panel shows of a large roster: counts, a name filter, raised hands in order. Pure. */
import type { RosterEntry } from '../../../../protocol/signaling.js';

export interface RosterCounts {
  total: number;
  /** Hosts, co-hosts and panelists: the people who may speak in an event. */
  speakers: number;
  attendees: number;
  hands: number;
}

export function rosterCounts(roster: readonly RosterEntry[]): RosterCounts {
  const c: RosterCounts = { total: roster.length, speakers: 0, attendees: 0, hands: 0 };
  for (const p of roster) {
    if (p.role === 'attendee') c.attendees++;
    else if (p.role !== 'participant') c.speakers++;
    if (p.hand === true) c.hands++;
  }
  return c;
}

/** Entries whose name contains `query` (case- and width-insensitive); all of them for an empty query. */
export function filterRoster(roster: readonly RosterEntry[], query: string): readonly RosterEntry[] {
  const q = query.trim().normalize('NFKC').toLocaleLowerCase();
  if (!q) return roster;
  return roster.filter((p) => p.displayName.normalize('NFKC').toLocaleLowerCase().includes(q));
}

/** Raised hands, first raised first (entries without a time last, in roster order). */
export function handsInOrder(roster: readonly RosterEntry[]): RosterEntry[] {
  return roster.filter((p) => p.hand === true).sort((a, b) => (a.handAt ?? Infinity) - (b.handAt ?? Infinity));
}

/** The rows of a fixed-height window to render: [start, end) with `overscan` rows either side. */
export function windowRange(count: number, scrollTop: number, height: number, rowHeight: number, overscan = 6): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(height, rowHeight) / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + visible + overscan) };
}
