/**
 * Browser page for bench/memorial.ts (bundled by esbuild, added to a page of the bench's server): a member
 * of the meeting on the real SignalingClient (batched roster frames), the real ChainKeeper and
 * the real room reducer, exactly as the meeting page wires them, minus React. Exposes on
 * `window.roster`: join a meeting and count what arrives, and time the verification of a chain.
 */
import type { JoinResult } from '../protocol/signaling.js';
import { initialRoom, roomReducer, type RoomAction, type RoomState } from '../web/src/features/meeting/room-state.js';
import { SignalingClient } from '../web/src/lib/signaling.js';
import { ChainKeeper } from '../web/src/security/chain-keeper.js';

interface Member {
  client: SignalingClient;
  keeper: ChainKeeper;
  state: RoomState;
  /** Milliseconds spent in the room reducer, all roster events. */
  busyMs: number;
  announcements: number;
}

let member: Member | null = null;

async function join(meetingId: string, wsUrl: string): Promise<number> {
  const client = new SignalingClient({ url: wsUrl });
  client.connect();
  const result = (await client.request('join', { meetingId, displayName: 'Browser' })) as JoinResult;
  const keeper = new ChainKeeper(meetingId, { selfId: result.participantId });
  await keeper.load(result.chain);
  const m: Member = { client, keeper, state: initialRoom(result), busyMs: 0, announcements: 0 };
  keeper.onChange(() => m.announcements++);
  client.on('roster.event', (e) => void keeper.append(e));
  const apply = (action: RoomAction): void => {
    const t = performance.now();
    m.state = roomReducer(m.state, action);
    m.busyMs += performance.now() - t;
  };
  client.on('participant.joined', (data) => apply({ event: 'participant.joined', data }));
  client.on('participant.updated', (data) => apply({ event: 'participant.updated', data }));
  client.on('participant.left', (data) => apply({ event: 'participant.left', data }));
  member = m;
  return result.chain.length;
}

function stats(): { chain: number; verified: boolean; roster: number; members: number; announcements: number; reducerMs: number } {
  if (!member) throw new Error('not joined');
  return {
    chain: member.keeper.events.length,
    verified: member.keeper.verified,
    roster: member.state.roster.length,
    members: member.keeper.members.size,
    announcements: member.announcements,
    reducerMs: member.busyMs,
  };
}

/** Verify `chain` from the start (a join result) and event by event (as it arrives), in this browser. */
async function verify(chain: JoinResult['chain']): Promise<{ loadMs: number; appendMs: number; perEventMs: number; verified: boolean }> {
  const meetingId = chain[0]?.meetingId ?? '';
  const t0 = performance.now();
  const whole = new ChainKeeper(meetingId);
  await whole.load(chain);
  const loadMs = performance.now() - t0;
  const one = new ChainKeeper(meetingId);
  await one.load(chain.slice(0, 1));
  const t1 = performance.now();
  for (const e of chain.slice(1)) await one.append(e);
  const appendMs = performance.now() - t1;
  return { loadMs, appendMs, perEventMs: appendMs / Math.max(1, chain.length - 1), verified: whole.verified && one.verified && one.head === whole.head };
}

(window as unknown as { roster: unknown }).roster = { join, stats, verify };
