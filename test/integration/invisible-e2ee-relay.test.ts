/**
 * The E2EE key relay and the `media.receivers` report: blobs go only between members of one
 * meeting's roster, unread; the report comes from the media plane's forwarding tables, so a
 * client checking it against its verified chain catches a subscriber outside the roster.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RosterEvent } from '../../protocol/roster-chain.js';
import type { TestHooks } from '../../server/app.js';
import type { MediaConfig } from '../../server/media/types.js';
import { ChainKeeper } from '../../web/src/security/chain-keeper.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';
import { createNullMedia } from '../helpers/null-media.js';

let server: TestServer;
const sockets: WsClient[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((c) => c.close());
  await server.close();
});
const open = async (headers: Record<string, string> = {}) => {
  const c = await WsClient.open(server.wsUrl, headers);
  sockets.push(c);
  return c;
};

/** A null media plane whose forwarding table is "everyone it knows receives everyone else". */
function fakeForwarding(config: MediaConfig) {
  const media = createNullMedia(config);
  return Object.assign(media, { receiversOf: (pub: string) => [...media.members].filter((m) => m !== pub) });
}

/** The chain a client holds: its join result's chain plus every later roster.event, by seq. */
function chainOf(initial: RosterEvent[], c: WsClient): RosterEvent[] {
  const out = [...initial];
  for (const e of c.events) {
    const d = e.data as RosterEvent;
    if (e.event === 'roster.event' && d.seq === out.length) out.push(d);
  }
  return out;
}

async function meetingOf3() {
  const owner = await signUp(server);
  const m = await createMeeting(server, owner.cookie);
  const h = await open({ cookie: owner.cookie });
  const a = await open();
  const b = await open();
  const hj = await h.request<{ participantId: string; chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Host' });
  const aj = await a.request<{ participantId: string; chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Ann' });
  const bj = await b.request<{ participantId: string; chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Bo' });
  return { m, owner, h, a, b, hj, aj, bj };
}

describe('e2ee.key relay', () => {
  it('relays a blob unchanged to exactly the one roster member it names', async () => {
    server = await startServer();
    const { h, a, b, hj, aj } = await meetingOf3();
    const blob = 'eyJ2IjoxfQ'.repeat(40);
    await a.request('e2ee.key', { to: hj.participantId, blob });
    const got = await h.waitEvent('e2ee.key');
    expect(got.data).toEqual({ from: aj.participantId, blob });
    await new Promise((r) => setTimeout(r, 100));
    expect(b.events.some((e) => e.event === 'e2ee.key')).toBe(false);
    expect(a.events.some((e) => e.event === 'e2ee.key')).toBe(false);
  });

  it('refuses blobs to or from anyone outside this meeting’s roster, and oversized blobs', async () => {
    server = await startServer();
    const { owner, a, hj, aj } = await meetingOf3();
    const other = await createMeeting(server, owner.cookie, { title: 'Other' });
    const x = await open();
    const xj = await x.request<{ participantId: string }>('join', { meetingId: other.id, displayName: 'Elsewhere' });
    const code = async (c: WsClient, p: Record<string, unknown>) => {
      const r = await c.send('e2ee.key', p);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await code(a, { to: xj.participantId, blob: 'AAAA' })).toBe('NOT_IN_ROSTER');
    expect(await code(x, { to: hj.participantId, blob: 'AAAA' })).toBe('NOT_IN_ROSTER');
    expect(await code(a, { to: aj.participantId, blob: 'AAAA' })).toBe('NOT_IN_ROSTER');
    expect(await code(a, { to: hj.participantId, blob: 'A'.repeat(4097) })).toBe('VALIDATION_FAILED');
    expect(await code(a, { to: hj.participantId, blob: 'not base64!' })).toBe('VALIDATION_FAILED');
    const outsider = await open();
    expect(await code(outsider, { to: hj.participantId, blob: 'AAAA' })).toBe('NOT_IN_MEETING');
  });
});

describe('media.receivers report', () => {
  it('tells every member who is forwarded each publisher, and a client finds no stranger', async () => {
    server = await startServer({ deps: { createMedia: fakeForwarding } });
    const { h, hj, aj, bj } = await meetingOf3();
    const ev = await h.waitEvent('media.receivers', (d) => d.publisherId === aj.participantId && d.receivers.length === 2, 4000);
    expect(ev.data).toEqual({ publisherId: aj.participantId, receivers: [hj.participantId, bj.participantId].sort() });
    const keeper = new ChainKeeper(hj.chain[0]!.meetingId);
    await keeper.load(chainOf(hj.chain, h));
    for (const e of h.events.filter((x) => x.event === 'media.receivers')) {
      const d = e.data;
      expect(keeper.checkReceivers(d.publisherId, d.receivers)).toEqual([]);
    }
    expect(keeper.state().warnings.filter((w) => w.kind === 'unknown-receiver')).toEqual([]);
  });

  it('exposes a hidden subscriber added through the test hook, and every client warns', async () => {
    const hooks: TestHooks = {};
    server = await startServer({ deps: { createMedia: fakeForwarding, testHooks: hooks } });
    const { m, h, a, b, hj, aj, bj } = await meetingOf3();
    const hidden = hooks.addHiddenSubscriber!(m.id, { signal: () => undefined });
    // The roster and the chain never show it: the report is the only trace.
    expect(server.services.rooms.mayReceive(m.id, hidden)).toBe(false);
    for (const [c, j] of [
      [h, hj],
      [a, aj],
      [b, bj],
    ] as const) {
      await c.waitEvent('media.receivers', (d) => d.receivers.includes(hidden), 4000);
      const keeper = new ChainKeeper(m.id);
      await keeper.load(chainOf(j.chain, c));
      for (const e of c.events.filter((x) => x.event === 'media.receivers')) {
        const d = e.data;
        keeper.checkReceivers(d.publisherId, d.receivers);
      }
      const warned = keeper.state().warnings.filter((w) => w.kind === 'unknown-receiver');
      expect(warned.map((w) => (w.kind === 'unknown-receiver' ? w.receiverId : ''))).toEqual([hidden]);
    }
  });

  it('has no hidden-subscriber lever unless a test passes testHooks in code', async () => {
    server = await startServer({ deps: { createMedia: fakeForwarding } });
    const { m } = await meetingOf3();
    expect(() => server.services.media.addParticipant(m.id, 'hidden-x', { signal: () => undefined })).toThrow(/roster/i);
    expect(Object.keys(server.services)).not.toContain('testHooks');
  });
});

describe('client chain keeper', () => {
  it('rejects a gap, a fork and a rewritten history, and warns on unlock', async () => {
    server = await startServer();
    const { h, hj } = await meetingOf3();
    await h.request('host.lock', { locked: true });
    await h.request('host.lock', { locked: false });
    await h.waitEvent('roster.event', (d) => d.kind === 'unlock');
    const chain = chainOf(hj.chain, h);
    expect(chain.map((e) => e.kind)).toEqual(['join', 'join', 'join', 'lock', 'unlock']);
    const meetingId = chain[0]!.meetingId;
    const good = new ChainKeeper(meetingId);
    await good.load(chain.slice(0, 1));
    for (const e of chain.slice(1)) await good.append(e);
    expect(good.state().verified).toBe(true);
    expect(good.state().warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(['code-changed', 'unlocked']));
    const gap = new ChainKeeper(meetingId);
    await gap.load(chain.slice(0, 1));
    await gap.append(chain[2]!);
    expect(gap.state().verified).toBe(false);
    expect(gap.members.size).toBe(0);
    const fork = new ChainKeeper(meetingId);
    await fork.load(chain.slice(0, 2));
    await fork.load([chain[0]!, { ...chain[1]!, displayName: 'Someone else' }]);
    expect(fork.state().warnings.some((w) => w.kind === 'chain-invalid')).toBe(true);
    expect(fork.checkReceivers(hj.participantId, [hj.participantId])).toEqual([hj.participantId]);
  });
});
