import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaServerInternals } from '../../server/media/index.js';
import { type TestPeer, joinPeer, waitFor } from './media-wrtc-peer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('media forwarding through the SFU (wrtc peers)', () => {
  const roster = new Set(['pub', 'sub1', 'sub2', 'sub3']);
  let server: MediaServerInternals;
  const peers: TestPeer[] = [];
  const peer = (id: string): TestPeer => peers.find((p) => p.id === id) as TestPeer;

  beforeAll(async () => {
    server = createMediaServer({ iceServers: [], receiverGate: (_m, pid) => roster.has(pid) });
    peers.push(joinPeer(server, 'm1', 'pub'));
    for (const id of ['sub1', 'sub2', 'sub3']) peers.push(joinPeer(server, 'm1', id));
    await peer('pub').publish();
  });

  afterAll(() => {
    for (const p of peers) p.close();
    server.close();
  });

  it('delivers the publisher audio and video to every subscriber and decodes frames', async () => {
    const ok = await waitFor(async () => {
      for (const id of ['sub1', 'sub2', 'sub3']) {
        const r = await peer(id).received();
        if (r.audio < 20 || r.frames < 5) return false;
      }
      return true;
    }, 20_000);
    expect(ok).toBe(true);
    expect(server.stats().forwardedPackets).toBeGreaterThan(0);
    expect(server.stats().publishers).toBe(1);
    expect(server.receiversOf('pub')).toEqual(['sub1', 'sub2', 'sub3']);
  });

  it('stops forwarding to a removed subscriber at once while the others keep receiving', async () => {
    server.removeParticipant('sub1');
    server.removeParticipant('sub1');
    const before = server.stats().forwardedPackets;
    await sleep(150);
    const sub1a = await peer('sub1').received();
    const sub2a = await peer('sub2').received();
    await sleep(1000);
    const sub1b = await peer('sub1').received();
    const sub2b = await peer('sub2').received();
    expect(sub1b.packets).toBe(sub1a.packets);
    expect(sub2b.packets).toBeGreaterThan(sub2a.packets + 20);
    expect(server.stats().forwardedPackets).toBeGreaterThan(before);
    expect(server.slotInfo('sub1')).toEqual([]);
    expect(server.receiversOf('pub')).toEqual(['sub2', 'sub3']);
  });

  it('stops everyone receiving from a removed publisher', async () => {
    server.removeParticipant('pub');
    expect(server.stats().publishers).toBe(0);
    await sleep(150);
    const a = await Promise.all(['sub2', 'sub3'].map((id) => peer(id).received()));
    await sleep(800);
    const b = await Promise.all(['sub2', 'sub3'].map((id) => peer(id).received()));
    expect(b.map((x) => x.packets)).toEqual(a.map((x) => x.packets));
    expect(server.slotInfo('sub2').every((s) => s.publisherId === null)).toBe(true);
  });

  it('asks the receiver gate again before adding a new publisher to an existing subscriber', async () => {
    roster.add('pub2');
    roster.delete('sub3');
    peers.push(joinPeer(server, 'm1', 'pub2'));
    await peer('pub2').publish();
    expect(server.slotInfo('sub2').some((s) => s.publisherId === 'pub2')).toBe(true);
    expect(server.slotInfo('sub3').some((s) => s.publisherId === 'pub2')).toBe(false);
    const before = await peer('sub3').received();
    const sub2Frames = (await peer('sub2').received()).frames;
    expect(await waitFor(async () => (await peer('sub2').received()).frames > sub2Frames + 5, 10_000)).toBe(true);
    expect((await peer('sub3').received()).packets).toBe(before.packets);
  });

  it('stops forwarding everything from a publisher who stays in the meeting but may no longer publish (a demoted panelist)', async () => {
    const participants = server.stats().participants;
    server.stopPublishing('pub2');
    expect(server.stats().publishers).toBe(0);
    expect(server.stats().participants).toBe(participants);
    expect(server.receiversOf('pub2')).toEqual([]);
    await sleep(150);
    const a = (await peer('sub2').received()).packets;
    await sleep(800);
    expect((await peer('sub2').received()).packets).toBe(a);
    expect(server.slotInfo('sub2').every((s) => s.publisherId === null)).toBe(true);
  });

  it('refuses a participant the receiver gate rejects and forwards nothing to them', async () => {
    expect(() => server.addParticipant('m1', 'ghost', { signal: () => undefined })).toThrow(expect.objectContaining({ code: 'NOT_IN_ROSTER' }) as Error);
    expect(server.slotInfo('ghost')).toEqual([]);
    expect(server.remotePaths('ghost')).toEqual([]);
  });
});
