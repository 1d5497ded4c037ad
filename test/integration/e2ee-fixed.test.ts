/**
 * A4 (a malicious or coerced server, or a host under pressure) must never downgrade a meeting
 * from E2EE to plain: once the meeting has started, PATCH /api/meetings/:id refuses to change
 * `e2ee` (E2EE_FIXED), and the server keeps refusing plain chat there.
 */
import { describe, expect, it } from 'vitest';
import { createMeeting, serverPerTest, signUp } from '../helpers/app.js';

const { server, client, hostedMeeting } = serverPerTest();

const patch = (id: string, cookie: string, payload: Record<string, unknown>) =>
  server.app.inject({ method: 'PATCH', url: `/api/meetings/${id}`, headers: { cookie }, payload });

describe('end-to-end encryption is fixed once a meeting starts', () => {
  it('refuses to switch e2ee off on a live meeting with E2EE_FIXED, tells nobody otherwise, and still refuses plain chat', async () => {
    const { host, m } = await hostedMeeting({ e2ee: true });
    const a = await client();
    await a.request('join', { meetingId: m.id, displayName: 'Ann' });

    const res = await patch(m.id, host.cookie, { e2ee: false });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('E2EE_FIXED');
    const pub = await server.app.inject({ method: 'GET', url: `/api/meetings/${m.id}/public` });
    expect(pub.json<{ e2ee: boolean }>().e2ee).toBe(true);
    expect(a.events.filter((e) => e.event === 'meeting.updated')).toEqual([]);
    const chat = await a.send('chat.send', { text: 'plain words' });
    expect(chat.ok ? null : chat.error.code).toBe('CHAT_MUST_BE_SEALED');
    // Other settings still change.
    expect((await patch(m.id, host.cookie, { title: 'Renamed' })).statusCode).toBe(200);
    expect((await patch(m.id, host.cookie, { e2ee: true })).statusCode).toBe(200); // unchanged: fine
  });

  it('keeps refusing after everyone left (the meeting has started, the room is gone)', async () => {
    const { host, m, h } = await hostedMeeting({ e2ee: true });
    await h.request('leave');
    await h.until(() => h.closeCode !== null);
    expect(server.services.rooms.room(m.id)).toBeUndefined();
    const res = await patch(m.id, host.cookie, { e2ee: false });
    expect(res.statusCode).toBe(409);
    const h2 = await client({ cookie: host.cookie });
    const j = await h2.request<{ meeting: { e2ee: boolean } }>('join', { meetingId: m.id, displayName: 'Host' });
    expect(j.meeting.e2ee).toBe(true);
  });

  it('refuses to switch e2ee on in a live plain meeting too (its clients fixed their mode at join)', async () => {
    const { host, m } = await hostedMeeting();
    expect((await patch(m.id, host.cookie, { e2ee: true })).statusCode).toBe(409);
  });

  it('lets the host change e2ee before anyone has joined', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { e2ee: true });
    const off = await patch(m.id, host.cookie, { e2ee: false });
    expect(off.statusCode).toBe(200);
    expect(off.json<{ meeting: { e2ee: boolean } }>().meeting.e2ee).toBe(false);
    expect((await patch(m.id, host.cookie, { e2ee: true })).statusCode).toBe(200);
  });
});
