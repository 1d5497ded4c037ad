import { describe, expect, it } from 'vitest';
import { MAX_CHAT_CHARS, SEALED_CHAT, type ChatMessageData } from '../../protocol/signaling.js';
import { ChatKeys } from '../../web/src/security/chat-seal.js';
import { createMeeting, serverPerTest, signUp } from '../helpers/app.js';

const { server, client, hostedMeeting } = serverPerTest();

describe('joining a meeting', () => {
  it('puts every joined participant in the roster that everyone receives', async () => {
    const { m, h, joined: hj } = await hostedMeeting();
    expect(hj.role).toBe('host');
    const a = await client();
    const aj = await a.request<{ roster: { displayName: string }[]; role: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    expect(aj.role).toBe('participant');
    expect(aj.roster.map((r) => r.displayName).sort()).toEqual(['Ann', 'Host']);
    await h.waitEvent('participant.joined', (d) => d.displayName === 'Ann');
  });

  it('refuses a wrong passcode with WRONG_PASSCODE and accepts the right one', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '432187' });
    const a = await client();
    const bad = await a.send('join', { meetingId: m.id, displayName: 'Ann', passcode: '111111' });
    expect(bad.ok ? null : bad.error.code).toBe('WRONG_PASSCODE');
    const good = await a.send('join', { meetingId: m.id, displayName: 'Ann', passcode: '432187' });
    expect(good.ok).toBe(true);
  });

  it('answers an unknown meeting id with MEETING_NOT_FOUND', async () => {
    const a = await client();
    const r = await a.send('join', { meetingId: 'doesnotexist', displayName: 'Ann' });
    expect(r.ok ? null : r.error.code).toBe('MEETING_NOT_FOUND');
  });

  it('keeps a joiner in the waiting room until a host admits them, without media', async () => {
    const { m, h } = await hostedMeeting({ waitingRoom: true });
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
    const { host, m, h } = await hostedMeeting();
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
    const { m, h } = await hostedMeeting();
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

// Chat in an end-to-end encrypted meeting: the server accepts only sealed messages, relays them
// exactly as sent and stores no words; plain meetings keep plain chat.
async function meeting(e2ee: boolean) {
  const { m, h, joined: hj } = await hostedMeeting({ e2ee });
  const a = await client();
  const aj = await a.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
  return { m, h, a, hostId: hj.participantId, annId: aj.participantId };
}

/** Chat is relayed, never stored: no table holds it (test/integration/chat-at-rest.test.ts scans the file). */
const chatTables = async () => (await server.services.storage.db.introspection.getTables()).map((t) => t.name).filter((n) => n.includes('chat'));

describe('chat in an end-to-end encrypted meeting', () => {
  it('refuses plain text with CHAT_MUST_BE_SEALED and stores nothing', async () => {
    const s = await meeting(true);
    const r = await s.a.send('chat.send', { text: 'we remember' });
    expect(r.ok ? null : r.error.code).toBe('CHAT_MUST_BE_SEALED');
    const both = await s.a.send('chat.send', { text: 'we remember', sealed: 'v1.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(both.ok ? null : both.error.code).toBe('CHAT_MUST_BE_SEALED');
    expect(await chatTables()).toEqual([]);
    expect(s.h.event('chat.message')).toBeUndefined();
  });

  it('relays a sealed message exactly as sent, stores nothing, and only members holding the key read it', async () => {
    const s = await meeting(true);
    // Ann's device seals with a key that the host's device also holds (as after a key exchange).
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const ann = new ChatKeys(s.m.id);
    ann.add(s.annId, 3, raw.slice());
    const host = new ChatKeys(s.m.id);
    host.add(s.annId, 3, raw.slice());
    const words = '六四 · we remember 🕯';
    const sealed = await ann.seal(s.annId, 3, words);
    expect(sealed).toMatch(SEALED_CHAT);

    const sent = await s.a.request<{ messageId: string }>('chat.send', { sealed });
    const got = (await s.h.waitEvent('chat.message', (d) => d.messageId === sent.messageId)) as { data: ChatMessageData };
    expect(got.data).toEqual({ messageId: sent.messageId, from: s.annId, displayName: 'Ann', at: expect.any(Number), sealed });
    expect(await host.open(got.data.from, got.data.sealed ?? '')).toBe(words);

    expect(await chatTables()).toEqual([]);

    // The server re-attributing Ann's message to the host does not make it readable as the host's.
    expect(await host.open(s.hostId, sealed, 50)).toBeNull();
  });

  it('refuses a malformed or oversized sealed message with VALIDATION_FAILED', async () => {
    const s = await meeting(true);
    for (const sealed of ['hello', 'v1.0.short.AAAA', `v1.0.AAAAAAAAAAAAAAAA.${'A'.repeat(20_000)}`, 'v2.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const r = await s.a.send('chat.send', { sealed });
      expect(r.ok ? null : r.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await chatTables()).toEqual([]);
  });

  it('has room for the longest text the client allows', async () => {
    const s = await meeting(true);
    const keys = new ChatKeys(s.m.id);
    keys.add(s.annId, 0, crypto.getRandomValues(new Uint8Array(32)));
    const sealed = await keys.seal(s.annId, 0, '字'.repeat(MAX_CHAT_CHARS));
    const r = await s.a.send('chat.send', { sealed });
    expect(r.ok).toBe(true);
  });
});

describe('chat in a meeting without end-to-end encryption', () => {
  it('keeps plain text and refuses a sealed message (nobody holds keys there)', async () => {
    const s = await meeting(false);
    const ok = await s.a.request<{ messageId: string }>('chat.send', { text: 'hello' });
    const got = (await s.h.waitEvent('chat.message', (d) => d.messageId === ok.messageId)) as { data: ChatMessageData };
    expect(got.data).toMatchObject({ text: 'hello', from: s.annId });
    expect(got.data.sealed).toBeUndefined();
    const r = await s.a.send('chat.send', { sealed: 'v1.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(r.ok ? null : r.error.code).toBe('CHAT_MUST_BE_SEALED');
    const none = await s.a.send('chat.send', {});
    expect(none.ok ? null : none.error.code).toBe('CHAT_MUST_BE_SEALED');
  });
});
