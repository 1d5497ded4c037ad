/**
 * Join at scale (issue 15 item 5): a join is one chain append, and each member present gets at
 * most one frame for it (batched `roster.events`), through real WebSockets. A burst of joins
 * reaches each member in fewer frames than joins, and the chain they verify is the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unfoldRosterBatch, type RosterBatchItem, type RosterStreamEvent } from '../../protocol/roster-batch.js';
import { verifyRosterChain, type RosterEvent } from '../../protocol/roster-chain.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';
import { createHash } from 'node:crypto';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const key = (i: number) => Buffer.alloc(65, i % 256).toString('base64');

/** A client that asks for batched roster frames (and, like the web client, takes single events from a server without them). */
class Member {
  frames = 0;
  readonly stream: RosterStreamEvent[] = [];
  private constructor(readonly c: WsClient) {
    c.ws.on('message', (d: Buffer) => {
      const msg = JSON.parse(String(d)) as { type: string; event?: string; data?: unknown };
      if (msg.type !== 'event') return;
      this.frames++;
      if (msg.event === 'roster.events') this.stream.push(...unfoldRosterBatch((msg.data as { items: RosterBatchItem[] }).items));
      else if (msg.event?.startsWith('participant.') || msg.event === 'roster.event') this.stream.push(msg as unknown as RosterStreamEvent);
    });
  }
  static async open(server: TestServer, headers: Record<string, string> = {}): Promise<Member> {
    const c = await WsClient.open(server.wsUrl, headers, false);
    const r = await c.send('hello', { v: 1, features: ['roster.events'] });
    if (!r.ok) await c.request('hello', { v: 1 });
    return new Member(c);
  }
  chain(): RosterEvent[] {
    return this.stream.flatMap((e) => (e.event === 'roster.event' ? [e.data] : []));
  }
}

const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

describe('join at scale', () => {
  let server: TestServer;
  let meetingId: string;
  let host: { cookie: string };
  const present: Member[] = [];

  beforeAll(async () => {
    server = await startServer();
    host = await signUp(server);
    meetingId = (await createMeeting(server, host.cookie)).id;
    const h = await Member.open(server, { cookie: host.cookie });
    await h.c.request('join', { meetingId, displayName: 'Host' });
    present.push(h);
    for (let i = 0; i < 20; i++) {
      const m = await Member.open(server);
      await m.c.request('join', { meetingId, displayName: `Mourner ${i}`, identityKey: key(i) });
      present.push(m);
    }
    await settle();
  });
  afterAll(async () => {
    for (const m of present) m.c.close();
    await server.close();
  });

  it('appends exactly one chain event per join and sends each present member at most one frame for it', async () => {
    const before = present.map((m) => m.frames);
    const chainBefore = present.map((m) => m.chain().length);
    const late = await Member.open(server);
    const result = await late.c.request<{ participantId: string; chain: RosterEvent[] }>('join', { meetingId, displayName: 'Late', identityKey: key(99) });
    await settle();
    present.push(late);
    const added = present.slice(0, -1).map((m, i) => m.chain().length - (chainBefore[i] ?? 0));
    expect(new Set(added)).toEqual(new Set([1]));
    expect(result.chain.at(-1)).toMatchObject({ kind: 'join', participantId: result.participantId });
    expect(result.chain.filter((e) => e.participantId === result.participantId)).toHaveLength(1);
    const frames = present.slice(0, -1).map((m, i) => m.frames - (before[i] ?? 0));
    expect(Math.max(...frames)).toBeLessThanOrEqual(1);
    // And what rode in that one frame is the whole change: the chain event and the roster entry.
    const seen = present[1]?.stream.slice(-2);
    expect(seen?.map((e) => e.event)).toEqual(['participant.joined', 'roster.event']);
    expect(seen?.[0]?.data).toMatchObject({ participantId: result.participantId, displayName: 'Late', identityKey: key(99), audio: true, video: true });
  });

  it('sends a burst of 12 joins to each member in fewer frames than joins, and every member verifies the same chain as the join result', async () => {
    const before = present.map((m) => m.frames);
    const burst = await Promise.all(Array.from({ length: 12 }, () => Member.open(server)));
    await Promise.all(burst.map((m, i) => m.c.request('join', { meetingId, displayName: `Burst ${i}`, identityKey: key(200 + i) })));
    await settle();
    const frames = present.map((m, i) => m.frames - (before[i] ?? 0));
    expect(Math.max(...frames)).toBeLessThan(12);
    const last = await Member.open(server);
    const full = (await last.c.request<{ chain: RosterEvent[] }>('join', { meetingId, displayName: 'Last' })).chain.slice(0, -1);
    await settle();
    for (const m of present) {
      const mine = m.chain();
      // Each member's events continue the chain it got at join, with no gap, and end at the server's head.
      const from = full.findIndex((e) => e.seq === mine[0]?.seq);
      expect(from).toBeGreaterThanOrEqual(0);
      expect(await verifyRosterChain(full, sha, { meetingId })).toBeNull();
      expect(mine.map((e) => e.hash).slice(0, full.length - from)).toEqual(full.slice(from).map((e) => e.hash));
    }
    for (const m of [...burst, last]) m.c.close();
  });
});
