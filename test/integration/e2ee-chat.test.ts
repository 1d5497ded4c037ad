/**
 * Chat in an end-to-end encrypted meeting: the server accepts only sealed messages, relays
 * them exactly as sent, and stores no words. Plain meetings keep plain chat.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHAT_CHARS, SEALED_CHAT, type ChatMessageData } from '../../protocol/signaling.js';
import { ChatKeys } from '../../web/src/security/chat-seal.js';
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

async function meeting(e2ee: boolean) {
  const host = await signUp(server);
  const m = await createMeeting(server, host.cookie, { e2ee });
  const h = await client({ cookie: host.cookie });
  const hj = await h.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Host' });
  const a = await client();
  const aj = await a.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
  return { m, h, a, hostId: hj.participantId, annId: aj.participantId };
}

const storedChat = (meetingId: string) =>
  server.services.storage.db.selectFrom('chat_messages').selectAll().where('meeting_id', '=', meetingId).execute();

describe('chat in an end-to-end encrypted meeting', () => {
  it('refuses plain text with CHAT_MUST_BE_SEALED and stores nothing', async () => {
    const s = await meeting(true);
    const r = await s.a.send('chat.send', { text: 'we remember' });
    expect(r.ok ? null : r.error.code).toBe('CHAT_MUST_BE_SEALED');
    const both = await s.a.send('chat.send', { text: 'we remember', sealed: 'v1.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(both.ok ? null : both.error.code).toBe('CHAT_MUST_BE_SEALED');
    expect(await storedChat(s.m.id)).toEqual([]);
    expect(s.h.event('chat.message')).toBeUndefined();
  });

  it('relays a sealed message exactly as sent, stores it without words, and only members holding the key read it', async () => {
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

    const rows = await storedChat(s.m.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ text: '', sealed });
    expect(JSON.stringify(rows)).not.toContain('remember');

    // The server re-attributing Ann's message to the host does not make it readable as the host's.
    expect(await host.open(s.hostId, sealed, 50)).toBeNull();
  });

  it('refuses a malformed or oversized sealed message with VALIDATION_FAILED', async () => {
    const s = await meeting(true);
    for (const sealed of ['hello', 'v1.0.short.AAAA', `v1.0.AAAAAAAAAAAAAAAA.${'A'.repeat(20_000)}`, 'v2.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const r = await s.a.send('chat.send', { sealed });
      expect(r.ok ? null : r.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await storedChat(s.m.id)).toEqual([]);
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
