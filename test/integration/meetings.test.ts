import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer;
const clients: WsClient[] = [];
async function client(headers: Record<string, string> = {}) {
  const c = await WsClient.open(server.wsUrl, headers);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('joining a meeting', () => {
  it('puts every joined participant in the roster that everyone receives', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await client({ cookie: host.cookie });
    const hj = await h.request<{ role: string; roster: unknown[] }>('join', { meetingId: m.id, displayName: 'Host' });
    expect(hj.role).toBe('host');
    const a = await client();
    const aj = await a.request<{ roster: { displayName: string }[]; role: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    expect(aj.role).toBe('participant');
    expect(aj.roster.map((r) => r.displayName).sort()).toEqual(['Ann', 'Host']);
    await h.waitEvent('participant.joined', (d) => d.displayName === 'Ann');
  });

  it('refuses a wrong passcode with WRONG_PASSCODE and accepts the right one', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '4321' });
    const a = await client();
    const bad = await a.send('join', { meetingId: m.id, displayName: 'Ann', passcode: '1111' });
    expect(bad.ok ? null : bad.error.code).toBe('WRONG_PASSCODE');
    const good = await a.send('join', { meetingId: m.id, displayName: 'Ann', passcode: '4321' });
    expect(good.ok).toBe(true);
  });

  it('answers an unknown meeting id with MEETING_NOT_FOUND', async () => {
    const a = await client();
    const r = await a.send('join', { meetingId: 'doesnotexist', displayName: 'Ann' });
    expect(r.ok ? null : r.error.code).toBe('MEETING_NOT_FOUND');
  });

  it('keeps a joiner in the waiting room until a host admits them, without media', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { waitingRoom: true });
    const h = await client({ cookie: host.cookie });
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const a = await client();
    const aj = await a.request<{ state: string; participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    expect(aj.state).toBe('waiting');
    expect(server.services.rooms.mayReceive(m.id, aj.participantId)).toBe(false);
    const chat = await a.send('chat.send', { text: 'hello?' });
    expect(chat.ok ? null : chat.error.code).toBe('OUT_OF_ORDER');
    await h.waitEvent('waiting.joined', (d) => d.participantId === aj.participantId);
    await h.request('host.admit', { participantId: aj.participantId });
    await a.waitEvent('you.admitted');
    expect(server.services.rooms.mayReceive(m.id, aj.participantId)).toBe(true);
  });
});

describe('host controls', () => {
  async function meetingWithTwo() {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await client({ cookie: host.cookie });
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const a = await client();
    const aj = await a.request<{ participantId: string; resumeToken: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    return { host, m, h, a, aj };
  }

  it('refuses host actions from a participant with NOT_HOST and changes nothing', async () => {
    const { m, a, h } = await meetingWithTwo();
    const hostId = server.services.rooms.listParticipants(m.id).find((p) => p.role === 'host')!.participantId;
    for (const [type, payload] of [
      ['host.remove', { participantId: hostId }],
      ['host.mute', { participantId: hostId }],
      ['host.lock', { locked: true }],
      ['host.end', {}],
      ['host.role', { participantId: hostId, role: 'participant' }],
    ] as const) {
      const r = await a.send(type, payload);
      expect(r.ok ? null : r.error.code, type).toBe('NOT_HOST');
    }
    expect(server.services.rooms.listParticipants(m.id)).toHaveLength(2);
    expect((await h.send('ping')).ok).toBe(true);
  });

  it('removes a participant, who is told and cannot rejoin with the same token or browser', async () => {
    const { m, h, a, aj } = await meetingWithTwo();
    await h.request('host.remove', { participantId: aj.participantId });
    await a.waitEvent('you.removed', (d) => d.kind === 'host');
    await a.until(() => a.closeCode !== null);
    expect(a.closeCode).toBe(4403);
    await h.waitEvent('participant.left', (d) => d.participantId === aj.participantId && d.reason === 'removed');
    const again = await client();
    const r = await again.send('join', { meetingId: m.id, displayName: 'Ann', resumeToken: aj.resumeToken });
    expect(r.ok ? null : r.error.code).toBe('REMOVED_FROM_MEETING');
  });

  it('locks the meeting against new joiners but lets the host in', async () => {
    const { m, h, host } = await meetingWithTwo();
    await h.request('host.lock', { locked: true });
    const b = await client();
    const r = await b.send('join', { meetingId: m.id, displayName: 'Bob' });
    expect(r.ok ? null : r.error.code).toBe('MEETING_LOCKED');
    const h2 = await client({ cookie: host.cookie });
    expect((await h2.send('join', { meetingId: m.id, displayName: 'Host 2nd device' })).ok).toBe(true);
  });

  it('mutes a participant and tells everyone; co-host can then mute too', async () => {
    const { m, h, a, aj } = await meetingWithTwo();
    await h.request('host.mute', { participantId: aj.participantId });
    await a.waitEvent('you.muted');
    await h.waitEvent('participant.updated', (d) => d.participantId === aj.participantId && d.audio === false);
    await h.request('host.role', { participantId: aj.participantId, role: 'cohost' });
    const hostId = server.services.rooms.listParticipants(m.id).find((p) => p.role === 'host')!.participantId;
    expect((await a.send('host.mute', { participantId: hostId })).ok).toBe(true);
    const end = await a.send('host.end', {});
    expect(end.ok ? null : end.error.code).toBe('NOT_HOST');
  });

  it('ends the meeting for all; later joins get MEETING_ENDED', async () => {
    const { m, h, a } = await meetingWithTwo();
    await h.request('host.end', {});
    await a.waitEvent('you.removed', (d) => d.kind === 'meeting-ended');
    const b = await client();
    const r = await b.send('join', { meetingId: m.id, displayName: 'Bob' });
    expect(r.ok ? null : r.error.code).toBe('MEETING_ENDED');
  });

  it('carries chat to everyone in the roster', async () => {
    const { h, a } = await meetingWithTwo();
    await a.request('chat.send', { text: '我們記得' });
    await h.waitEvent('chat.message', (d) => d.text === '我們記得' && d.displayName === 'Ann');
  });
});

describe('reconnecting', () => {
  it('resumes the same roster entry after a drop, with no duplicate', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await client({ cookie: host.cookie });
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const a = await client();
    const aj = await a.request<{ participantId: string; resumeToken: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    a.ws.terminate();
    await h.waitEvent('participant.updated', (d) => d.participantId === aj.participantId);
    const a2 = await client();
    const r = await a2.request<{ participantId: string; roster: { participantId: string }[] }>('join', {
      meetingId: m.id,
      displayName: 'Ann',
      resumeToken: aj.resumeToken,
    });
    expect(r.participantId).toBe(aj.participantId);
    expect(r.roster.filter((e) => e.participantId === aj.participantId)).toHaveLength(1);
    expect(server.services.rooms.listParticipants(m.id)).toHaveLength(2);
    expect(server.services.rooms.mayReceive(m.id, aj.participantId)).toBe(true);
  });
});
