/**
 * Host audio pins (issue 15 item 2): in a large meeting the SFU forwards the few loudest voices
 * plus the ones the host pinned (the speaker at a memorial). Only a host or co-host may pin; only
 * people in the roster can be pinned; everyone is told whose voice is pinned. Real WebSocket.
 */
import { describe, expect, it } from 'vitest';
import type { MeetingInfo } from '../../protocol/signaling.js';
import { createMeeting, serverPerTest, signUp, type WsClient } from '../helpers/app.js';
import type { createNullMedia } from '../helpers/null-media.js';

const { server, joined } = serverPerTest();

const code = (r: Awaited<ReturnType<WsClient['send']>>) => (r.ok ? 'ok' : r.error.code);
const media = () => server.services.media as unknown as ReturnType<typeof createNullMedia>;

describe('host audio pins', () => {
  it('lets the host pin a voice for everyone, tells everyone, and the SFU forwards it', async () => {
    const owner = await signUp(server);
    const m = await createMeeting(server, owner.cookie);
    const host = await joined(m.id, 'Host', owner.cookie);
    const ann = await joined(m.id, 'Ann');
    const bob = await joined(m.id, 'Bob');
    expect(code(await host.ws.send('host.pin-audio', { participantIds: [ann.id] }))).toBe('ok');
    expect(media().calls).toContain(`pins:${m.id}:${ann.id}`);
    const seen = await bob.ws.waitEvent('meeting.updated', (d: MeetingInfo) => d.pinnedAudio?.includes(ann.id) === true);
    expect((seen.data as MeetingInfo).pinnedAudio).toEqual([ann.id]);
    expect(code(await host.ws.send('host.pin-audio', { participantIds: [] }))).toBe('ok');
    expect(media().calls).toContain(`pins:${m.id}:`);
  });

  it('refuses a participant who pins themselves (NOT_HOST) and a pin of someone not in the roster', async () => {
    const owner = await signUp(server);
    const m = await createMeeting(server, owner.cookie);
    const host = await joined(m.id, 'Host', owner.cookie);
    const mallory = await joined(m.id, 'Mallory');
    expect(code(await mallory.ws.send('host.pin-audio', { participantIds: [mallory.id] }))).toBe('NOT_HOST');
    expect(code(await host.ws.send('host.pin-audio', { participantIds: ['00000000-0000-4000-8000-000000000000'] }))).toBe('PARTICIPANT_NOT_FOUND');
    expect(code(await host.ws.send('host.pin-audio', { participantIds: Array.from({ length: 9 }, () => mallory.id) }))).toBe('VALIDATION_FAILED');
    expect(media().calls.some((c) => c.startsWith('pins:'))).toBe(false);
  });
});
