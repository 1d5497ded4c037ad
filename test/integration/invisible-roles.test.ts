/**
 * Invariant 3, "Nobody invisible": no role and no API can receive a meeting's media or
 * messages without a roster entry that every participant sees. Every instance role, an
 * anonymous visitor, the host of another meeting and the meeting owner's own second device
 * try every REST route the app registers (read from app.printRoutes(), so a new route is
 * tried automatically) and every signaling message type. We assert through the receiver
 * gate, the media plane's member set, the roster chain, and what each socket received.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { ClientMessage, type RosterEntry } from '../../protocol/signaling.js';
import type { RosterEvent } from '../../protocol/roster-chain.js';
import { createMediaServer } from '../../server/media/index.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';
import { routesOf } from '../helpers/routes.js';
import type { createNullMedia } from '../helpers/null-media.js';

type NullMedia = ReturnType<typeof createNullMedia>;
let server: TestServer;
const sockets: WsClient[] = [];
const open = async (headers: Record<string, string> = {}) => {
  const c = await WsClient.open(server.wsUrl, headers);
  sockets.push(c);
  return c;
};
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  sockets.splice(0).forEach((c) => c.close());
  await server.close();
});

interface Scene {
  meetingId: string;
  hostWs: WsClient;
  annWs: WsClient;
  hostPid: string;
  annPid: string;
  chainLength: () => number;
  secret: string;
  observers: { role: string; cookie: string | null; ws: WsClient; userId: string | null }[];
}

/** A live meeting (host + Ann, chatting) and one unjoined socket per role. */
async function scene(): Promise<Scene> {
  const owner = await signUp(server, { displayName: 'Owner' });
  const m = await createMeeting(server, owner.cookie);
  const hostWs = await open({ cookie: owner.cookie });
  const annWs = await open();
  const hj = await hostWs.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Owner' });
  const aj = await annWs.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
  const secret = `secret-${Math.random().toString(36).slice(2)}`;
  await annWs.request('chat.send', { text: secret });
  const accounts = server.services.accounts;
  const observers: Scene['observers'] = [];
  for (const role of ['admin', 'compliance', 'approver', 'auditor'] as const) {
    const u = await signUp(server, { displayName: role });
    await accounts.setRoles(u.user.id, [role]);
    observers.push({ role, cookie: u.cookie, ws: await open({ cookie: u.cookie }), userId: u.user.id });
  }
  const all = await signUp(server, { displayName: 'All roles' });
  await accounts.setRoles(all.user.id, ['admin', 'compliance', 'approver', 'auditor']);
  observers.push({ role: 'all-roles', cookie: all.cookie, ws: await open({ cookie: all.cookie }), userId: all.user.id });
  const other = await signUp(server, { displayName: 'Other host' });
  await createMeeting(server, other.cookie, { title: 'Elsewhere' });
  observers.push({ role: 'host-of-another-meeting', cookie: other.cookie, ws: await open({ cookie: other.cookie }), userId: other.user.id });
  observers.push({ role: 'owner-second-device', cookie: owner.cookie, ws: await open({ cookie: owner.cookie }), userId: owner.user.id });
  observers.push({ role: 'anonymous', cookie: null, ws: await open(), userId: null });
  const room = server.services.rooms.room(m.id);
  return {
    meetingId: m.id,
    hostWs,
    annWs,
    hostPid: hj.participantId,
    annPid: aj.participantId,
    secret,
    observers,
    chainLength: () => room?.chain.length ?? -1,
  };
}

/** A valid payload for every client message type; the test fails when a new type is added. */
function payloads(s: Scene): Record<string, Record<string, unknown>> {
  return {
    leave: {},
    'chat.send': { text: 'hello from outside' },
    'media.publish': { sdp: 'v=0\r\n' },
    'media.answer': { sdp: 'v=0\r\n' },
    'media.candidate': { pc: 'sub', candidate: 'candidate:1 1 UDP 1 127.0.0.1 9 typ host', mid: '0' },
    'media.state': { audio: true, video: true, screen: false },
    'hand.raise': { raised: true },
    'media.layer': { publisherId: s.annPid, layer: 'f' },
    'media.view': { publisherIds: [s.annPid] },
    'media.subscribe': { publisherIds: [s.annPid] },
    'media.ice-restart': {},
    'host.admit': { participantId: s.annPid },
    'host.deny': { participantId: s.annPid },
    'host.mute': { participantId: s.annPid },
    'host.remove': { participantId: s.annPid },
    'host.lock': { locked: false },
    'host.role': { participantId: s.annPid, role: 'cohost' },
    'host.end': {},
    'host.panelist': { participantId: s.annPid, panelist: true },
    'host.mute-all': { lock: true },
    'host.mics-lock': { locked: true },
    'host.pin-audio': { participantIds: [s.annPid] },
    'e2ee.key': { to: s.annPid, blob: 'AAAA' },
  };
}

const messageTypes = (): string[] => ClientMessage.options.map((o) => String(o.shape.type.value)).filter((t) => !['hello', 'join', 'ping'].includes(t));

function assertNobodyElseReceives(s: Scene): void {
  const media = server.services.media as NullMedia;
  expect([...media.members].sort()).toEqual([s.hostPid, s.annPid].sort());
  expect(media.calls.filter((c) => c.startsWith('add:')).sort()).toEqual([`add:${s.hostPid}`, `add:${s.annPid}`].sort());
  const rooms = server.services.rooms;
  for (const o of s.observers) {
    // Nothing about the meeting reached an unjoined socket: no chat, no media, no roster.
    expect(
      o.ws.events.map((e) => e.event),
      o.role,
    ).toEqual([]);
    if (o.userId) expect(rooms.mayReceive(s.meetingId, o.userId)).toBe(false);
  }
  expect(
    rooms
      .listParticipants(s.meetingId)
      .map((p) => p.participantId)
      .sort(),
  ).toEqual([s.hostPid, s.annPid].sort());
}

describe('nobody invisible: silent receive attempts', () => {
  it('refuses every signaling message type from every role that has no roster entry', async () => {
    const s = await scene();
    const table = payloads(s);
    expect(Object.keys(table).sort()).toEqual(messageTypes().sort());
    for (const o of s.observers) {
      for (const type of messageTypes()) {
        const r = await o.ws.send(type, table[type] ?? {});
        expect(r.ok ? 'ok' : r.error.code, `${o.role} ${type}`).toBe('NOT_IN_MEETING');
      }
    }
    await s.annWs.request('chat.send', { text: `${s.secret}-2` });
    await s.hostWs.waitEvent('chat.message', (d) => d.text === `${s.secret}-2`);
    assertNobodyElseReceives(s);
    expect(s.chainLength()).toBe(2);
  });

  it('refuses a receive through every REST route, for every role, and hands over no content', async () => {
    const s = await scene();
    const routes = routesOf(server.app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.method !== 'HEAD' && r.url !== '/ws')
      .sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));
    expect(routes.some((r) => r.url === '/api/meetings/:id/live')).toBe(true);
    const bodies = [{}, { meetingId: s.meetingId, participantId: s.annPid, subscribe: true, roles: ['admin'] }];
    let tried = 0;
    for (const o of s.observers) {
      for (const r of routes) {
        // The owner may end their own meeting; that ends reception for everyone, so skip it.
        if (o.role === 'owner-second-device' && r.url.endsWith('/end')) continue;
        for (const payload of bodies) {
          const url = r.url.replace(':id', r.url.includes('/users/') ? (o.userId ?? 'x') : s.meetingId);
          const opts: InjectOptions = { method: r.method, url, headers: o.cookie ? { cookie: o.cookie } : {} };
          if (r.method !== 'GET') opts.payload = payload;
          const res = await server.app.inject(opts);
          tried++;
          expect(res.body, `${o.role} ${r.method} ${url}`).not.toContain(s.secret);
          expect(res.body).not.toContain('v=0\r\n');
        }
      }
    }
    expect(tried).toBeGreaterThan(s.observers.length * 20);
    await s.annWs.request('chat.send', { text: `${s.secret}-3` });
    await s.hostWs.waitEvent('chat.message', (d) => d.text === `${s.secret}-3`);
    assertNobodyElseReceives(s);
    expect(s.chainLength()).toBe(2);
  });

  it('makes every role that does join appear in the chain every participant receives first', async () => {
    const s = await scene();
    for (const o of s.observers.filter((x) => x.role !== 'owner-second-device')) {
      const j = await o.ws.request<{ participantId: string; roster: RosterEntry[] }>('join', { meetingId: s.meetingId, displayName: o.role });
      // Ann sees the join event (with the name) before this person can receive anything.
      const seen = await s.annWs.waitEvent('roster.event', (d: RosterEvent) => d.kind === 'join' && d.participantId === j.participantId);
      expect((seen.data as RosterEvent).displayName).toBe(o.role);
      expect(server.services.rooms.mayReceive(s.meetingId, j.participantId)).toBe(true);
    }
  });

  it('gives a waiting-room entry no chat and no media until the host admits it into the roster', async () => {
    const owner = await signUp(server);
    const m = await createMeeting(server, owner.cookie, { waitingRoom: true });
    const h = await open({ cookie: owner.cookie });
    await h.request('join', { meetingId: m.id, displayName: 'Owner' });
    const admin = await signUp(server, { displayName: 'Admin' });
    await server.services.accounts.setRoles(admin.user.id, ['admin']);
    const a = await open({ cookie: admin.cookie });
    const aj = await a.request<{ participantId: string; state: string }>('join', { meetingId: m.id, displayName: 'Admin' });
    expect(aj.state).toBe('waiting');
    await h.request('chat.send', { text: 'not for the waiting room' });
    for (const type of ['chat.send', 'media.subscribe', 'media.publish', 'media.answer', 'media.layer', 'e2ee.key'] as const) {
      const p = payloads({ annPid: aj.participantId } as Scene)[type] ?? {};
      const r = await a.send(type, type === 'e2ee.key' ? { ...p, to: aj.participantId } : p);
      expect(r.ok ? 'ok' : r.error.code, type).not.toBe('ok');
    }
    expect(a.events.some((e) => e.event === 'chat.message' || e.event === 'media.offer' || e.event === 'e2ee.key')).toBe(false);
    expect(server.services.rooms.mayReceive(m.id, aj.participantId)).toBe(false);
    expect((server.services.media as NullMedia).members.has(aj.participantId)).toBe(false);
  });
});

describe('the receiver gate in the real media plane', () => {
  it('refuses to create a subscriber for anyone outside the roster', async () => {
    const real = await startServer({ deps: { createMedia: createMediaServer } });
    try {
      const owner = await signUp(real);
      const m = await createMeeting(real, owner.cookie);
      const h = await WsClient.open(real.wsUrl, { cookie: owner.cookie });
      sockets.push(h);
      const hj = await h.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Owner' });
      const hooks = { signal: () => undefined };
      for (const id of ['stranger', 'admin', owner.user.id, `${hj.participantId}x`]) {
        expect(() => real.services.media.addParticipant(m.id, id, hooks), id).toThrow(/roster/i);
      }
      // Another meeting's participant id is not in this meeting's roster either.
      expect(() => real.services.media.addParticipant('other-meeting', hj.participantId, hooks)).toThrow(/roster/i);
      // Asking for media is no way in: only a member the gate let in can subscribe.
      for (const id of ['stranger', owner.user.id]) expect(() => real.services.media.subscribe(id), id).toThrow(/roster/i);
      expect(real.services.media.stats().participants).toBe(1);
    } finally {
      await real.close();
    }
  });
});
