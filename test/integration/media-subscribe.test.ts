/**
 * Issue 15, the memorial meeting: a participant's subscriber leg is built and offered only after
 * its client asks for media (`media.subscribe`). A signaling-only member (a roster client, a
 * browser with WebRTC blocked, someone joining many times) costs no connection, no slots, no
 * offers and no rebuilds, however long it stays and whoever publishes. Real server, real
 * WebSockets, real SFU (node-datachannel) and real WebRTC peers (@roamhq/wrtc).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaServerInternals } from '../../server/media/index.js';
import { signalingPeer } from '../cluster/wrtc-signaling.js';
import { createMeeting, signUp, startServer, type TestServer, WsClient } from '../helpers/app.js';
import { type TestPeer, waitFor } from './media-wrtc-peer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Longer than the SFU's answer timeout (10 s): an unanswered offer would have been rebuilt by then. */
const QUIET_MS = 12_000;
const SUB_EVENTS = new Set(['media.offer', 'media.streams', 'media.closed']);

describe('media.subscribe: no subscriber leg until the client asks for media', () => {
  let server: TestServer;
  let media: MediaServerInternals | null = null;
  const sfu = (): MediaServerInternals => {
    if (!media) throw new Error('no media server');
    return media;
  };
  const sockets: WsClient[] = [];
  const peers: TestPeer[] = [];
  let meetingId = '';
  const ids: Record<string, string> = {};
  const clients: Record<string, WsClient> = {};
  /** Media events for the subscriber leg (offers, relabels, closes, its candidates) each member got. */
  const subEvents = (name: string): string[] =>
    (clients[name]?.events ?? []).filter((e) => SUB_EVENTS.has(e.event) || (e.event === 'media.candidate' && e.data.pc === 'sub')).map((e) => e.event);

  const join = async (name: string, cookie?: string): Promise<void> => {
    const ws = await WsClient.open(server.wsUrl, cookie ? { cookie } : {});
    sockets.push(ws);
    const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: name });
    ids[name] = j.participantId;
    clients[name] = ws;
  };

  beforeAll(async () => {
    server = await startServer({ deps: { createMedia: (cfg) => (media = createMediaServer(cfg)) } });
    const host = await signUp(server);
    meetingId = (await createMeeting(server, host.cookie)).id;
    await join('ann', host.cookie);
    await join('bob');
    // Two real publishers (silent: no active speaker to add), each also taking media.
    for (const name of ['ann', 'bob']) {
      const p = signalingPeer(clients[name] as WsClient, ids[name] as string);
      peers.push(p);
      await p.publish({ silent: true });
    }
    // Signaling-only members, in the meeting while the others publish.
    await join('quiet');
    await join('late');
  });

  afterAll(async () => {
    for (const p of peers) p.close();
    for (const s of sockets) s.close();
    await server.close();
  });

  it('offers a member who never asked nothing for 12 s while others publish: no leg, no slots, no rebuild', async () => {
    expect(await waitFor(() => sfu().stats().publishers === 2, 10_000)).toBe(true);
    // A view and a restart request are not a request for media.
    await clients.quiet?.request('media.view', { publisherIds: [ids.ann] });
    await clients.quiet?.request('media.ice-restart', { pc: 'sub' });
    await sleep(QUIET_MS);
    for (const name of ['quiet', 'late']) {
      expect(subEvents(name), name).toEqual([]);
      expect(sfu().slotInfo(ids[name] as string), name).toEqual([]);
      expect(sfu().receiversOf(ids.ann as string)).not.toContain(ids[name]);
    }
    // The publishers asked for media and receive each other; the two quiet members have no leg.
    expect(await waitFor(async () => (await Promise.all(peers.map((p) => p.received()))).every((r) => r.frames > 10), 15_000)).toBe(true);
    expect(sfu().stats().subscriberLegs).toBe(2);
    expect(sfu().stats().rebuilds).toBe(0);
  }, 40_000);

  it('offers the leg within 1 s of media.subscribe, and the member then receives the publishers', async () => {
    const quiet = clients.quiet as WsClient;
    const t0 = Date.now();
    await quiet.request('media.subscribe', {});
    await quiet.waitEvent('media.offer', () => true, 1000);
    const offeredMs = Date.now() - t0;
    expect(offeredMs).toBeLessThan(1000);
    // Answer with a real WebRTC peer (it replays the offer already received).
    const viewer = signalingPeer(quiet, ids.quiet as string);
    peers.push(viewer);
    expect(await waitFor(async () => (await viewer.received()).frames > 10, 15_000)).toBe(true);
    expect(sfu().receiversOf(ids.ann as string)).toContain(ids.quiet);
    expect(sfu().stats().subscriberLegs).toBe(3);
    expect(subEvents('late')).toEqual([]);
  }, 30_000);

  it('takes the view carried by media.subscribe as the first media.view', async () => {
    const late = clients.late as WsClient;
    await late.request('media.subscribe', { publisherIds: [ids.bob] });
    await late.waitEvent('media.offer', () => true, 1000);
    const video = sfu()
      .slotInfo(ids.late as string)
      .filter((s) => s.mid.startsWith('v') && s.publisherId !== null)
      .map((s) => s.publisherId);
    expect(video).toEqual([ids.bob]);
  });

  it('offers a rebuilt leg again at once: the member still wants media', async () => {
    const quiet = clients.quiet as WsClient;
    const before = quiet.events.filter((e) => e.event === 'media.offer').length;
    await quiet.request('media.ice-restart', { pc: 'sub' });
    const next = await quiet.waitEvent('media.offer', (d: { generation: number }) => d.generation > 1, 1000);
    expect((next.data as { generation: number }).generation).toBe(2);
    expect(quiet.events.filter((e) => e.event === 'media.offer').length).toBeGreaterThan(before);
    expect(sfu().stats().rebuilds).toBe(1);
  });
});
