/**
 * Roster changes in batches (`roster.events`, a client asks for it in `hello {features}`).
 * What changes in a meeting within a short window reaches each member as one frame, serialised
 * once for everyone; a join's `participant.joined` rides on its chain event (`joined` holds only
 * the roster-entry fields the chain event does not carry), a leave's `participant.left` likewise
 * (`left`). `unfoldRosterBatch` turns a batch back into the events a client without batches
 * would have received, in the same order, so every consumer (roster list, chain verifier) sees
 * one stream whichever way it was delivered. Shared by server and browser.
 */
import type { RosterEvent } from './roster-chain.js';
import type { RosterEntry, ServerEvent } from './signaling.js';

/** The `hello` feature that asks for batched roster frames. */
export const ROSTER_BATCH_FEATURE = 'roster.events';
/** A batch is sent at most this long after the previous one … */
export const ROSTER_BATCH_WINDOW_MS = 50;
/** … or as soon as it holds this many changes. */
export const ROSTER_BATCH_MAX = 32;

/** The events a batch may carry, as a client without batches receives them. */
export type RosterStreamEvent = Extract<ServerEvent, { event: 'roster.event' | 'participant.joined' | 'participant.updated' | 'participant.left' }>;
export type RosterStreamEventName = RosterStreamEvent['event'];
type LeftReason = Extract<ServerEvent, { event: 'participant.left' }>['data']['reason'];

/** The fields of a join's roster entry that its chain event does not already carry. */
export type JoinedRest = Omit<RosterEntry, 'participantId' | 'displayName' | 'role' | 'identityKey'>;

/** One change in a batch, in order. */
export type RosterBatchItem =
  | { event: 'roster.event'; data: RosterEvent; joined?: JoinedRest; left?: LeftReason }
  | Extract<RosterStreamEvent, { event: 'participant.joined' | 'participant.updated' | 'participant.left' }>;

const STREAM_EVENTS: ReadonlySet<string> = new Set<RosterStreamEventName>(['roster.event', 'participant.joined', 'participant.updated', 'participant.left']);

/** Whether an event travels in roster batches. */
export function isRosterStreamEvent(e: ServerEvent): e is RosterStreamEvent {
  return STREAM_EVENTS.has(e.event);
}

/**
 * Append `next` to a batch, folding it into the last item when that item is the same change
 * told the other way: `participant.joined` + its chain `join` (same id, name, role and key), or
 * `participant.left` + its chain `leave`/`removal`. Mutates and returns `items`.
 */
export function pushRosterItem(items: RosterBatchItem[], next: RosterStreamEvent): RosterBatchItem[] {
  const last = items.at(-1);
  if (next.event === 'roster.event' && last) {
    const e = next.data;
    if (last.event === 'participant.joined' && e.kind === 'join' && sameJoin(last.data, e)) {
      const { participantId: _p, displayName: _d, role: _r, identityKey: _k, ...joined } = last.data;
      items[items.length - 1] = { event: 'roster.event', data: e, joined };
      return items;
    }
    if (last.event === 'participant.left' && (e.kind === 'leave' || e.kind === 'removal') && last.data.participantId === e.participantId) {
      items[items.length - 1] = { event: 'roster.event', data: e, left: last.data.reason };
      return items;
    }
  }
  items.push(next);
  return items;
}

function sameJoin(entry: RosterEntry, e: RosterEvent): boolean {
  return entry.participantId === e.participantId && entry.displayName === e.displayName && entry.role === e.role && entry.identityKey === e.identityKey;
}

/** The events a batch stands for, in the order a client without batches would have had them. */
export function unfoldRosterBatch(items: readonly RosterBatchItem[]): RosterStreamEvent[] {
  const out: RosterStreamEvent[] = [];
  for (const item of items) {
    if (item.event !== 'roster.event') {
      out.push(item);
      continue;
    }
    const e = item.data;
    if (item.joined !== undefined && e.participantId !== undefined) {
      const entry: RosterEntry = { ...item.joined, participantId: e.participantId, displayName: e.displayName ?? '', role: e.role ?? 'participant' };
      if (e.identityKey !== undefined) entry.identityKey = e.identityKey;
      out.push({ event: 'participant.joined', data: entry });
    }
    if (item.left !== undefined && e.participantId !== undefined)
      out.push({ event: 'participant.left', data: { participantId: e.participantId, reason: item.left } });
    out.push({ event: 'roster.event', data: e });
  }
  return out;
}
