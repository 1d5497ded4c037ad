import { describe, expect, it } from 'vitest';
import type { RosterEntry } from '../../../../protocol/signaling.js';
import { filterRoster, handsInOrder, rosterCounts, windowRange } from './roster-view.js';

const entry = (n: number, extra: Partial<RosterEntry> = {}): RosterEntry => ({
  participantId: `p${n}`,
  displayName: `Person ${n}`,
  role: 'attendee',
  audio: false,
  video: false,
  screen: false,
  joinedAt: n,
  ...extra,
});

describe('roster view', () => {
  it('counts hosts and panelists, attendees and raised hands', () => {
    const roster = [entry(0, { role: 'host' }), entry(1, { role: 'panelist' }), entry(2, { hand: true }), entry(3), entry(4, { role: 'participant' })];
    expect(rosterCounts(roster)).toEqual({ total: 5, speakers: 2, attendees: 2, hands: 1 });
  });

  it('finds a name whatever its case or width, and keeps everyone for an empty query', () => {
    const roster = [entry(1, { displayName: '林昭' }), entry(2, { displayName: 'Ａnn Lee' }), entry(3, { displayName: 'Bob' })];
    expect(filterRoster(roster, 'ann').map((p) => p.participantId)).toEqual(['p2']);
    expect(filterRoster(roster, '昭').map((p) => p.participantId)).toEqual(['p1']);
    expect(filterRoster(roster, '  ')).toHaveLength(3);
  });

  it('orders raised hands by when they went up', () => {
    const roster = [entry(1, { hand: true, handAt: 30 }), entry(2), entry(3, { hand: true, handAt: 10 }), entry(4, { hand: true })];
    expect(handsInOrder(roster).map((p) => p.participantId)).toEqual(['p3', 'p1', 'p4']);
  });

  it('renders a window of rows, not the whole list', () => {
    expect(windowRange(300, 0, 440, 44)).toEqual({ start: 0, end: 17 });
    const mid = windowRange(300, 44 * 150, 440, 44);
    expect(mid.start).toBe(144);
    expect(mid.end - mid.start).toBeLessThan(30);
    expect(windowRange(300, 1e9, 440, 44).end).toBe(300);
  });
});
