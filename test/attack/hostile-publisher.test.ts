/**
 * Adversary A1 (a hostile participant with a scripted WebRTC stack) against a real Parley
 * process: malformed RTP and RTCP from one publisher must neither end the process nor stop
 * two honest participants in the same meeting from exchanging audio and video.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsClient } from '../helpers/app.js';
import { type RunningServer, startServer } from '../e2e/helpers/browser.js';
import { signalingPeer } from '../cluster/wrtc-signaling.js';
import type { TestPeer } from '../integration/media-wrtc-peer.js';
import { waitFor } from '../integration/media-wrtc-peer.js';
import { type Attacker, connectAttacker, hostileRtcpPackets, hostileVideoPackets, newIceCredentials, vp8Keyframe, wrongFingerprint } from './rtp-attacker.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a hostile publisher sending malformed RTP and RTCP', () => {
  let srv: RunningServer;
  /** How the server process ended (exit code or signal), or null while it runs. */
  const exited = (): string | null => srv.proc.signalCode ?? (srv.proc.exitCode === null ? null : String(srv.proc.exitCode));
  const wsUrl = (): string => `${srv.url.replace(/^http/, 'ws')}/ws`;
  let meetingId = '';
  const sockets: WsClient[] = [];
  const honest: TestPeer[] = [];
  let attackerWs: WsClient;
  let attacker: Attacker | null = null;

  const join = async (name: string, headers: Record<string, string> = {}): Promise<{ ws: WsClient; participantId: string }> => {
    const ws = await WsClient.open(wsUrl(), { origin: srv.url, ...headers });
    sockets.push(ws);
    const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: name });
    return { ws, participantId: j.participantId };
  };

  const healthy = async (): Promise<boolean> => {
    try {
      return (await fetch(`${srv.url}/healthz`)).ok;
    } catch {
      return false;
    }
  };

  /** Both honest peers have decoded more video frames from each other than `before`. */
  const progressed = async (before: number[], frames: number): Promise<boolean> =>
    waitFor(async () => {
      const now = await Promise.all(honest.map((p) => p.received()));
      return now.every((r, i) => r.frames > (before[i] ?? 0) + frames && r.audio > 0);
    }, 20_000);

  beforeAll(async () => {
    srv = await startServer();
    const email = `host-${Date.now()}@example.org`;
    const signup = await fetch(`${srv.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: srv.url },
      body: JSON.stringify({ email, password: 'correct horse battery', displayName: 'Host' }),
    });
    expect(signup.status).toBe(201);
    const cookie =
      signup.headers
        .getSetCookie()
        .map((c) => c.split(';')[0] ?? '')
        .find((c) => c.startsWith('parley_session=')) ?? '';
    const created = await fetch(`${srv.url}/api/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: srv.url, cookie },
      body: JSON.stringify({ title: 'Memorial' }),
    });
    expect(created.status).toBe(201);
    meetingId = ((await created.json()) as { meeting: { id: string } }).meeting.id;
    const host = await join('Host', { cookie });
    const ann = await join('Ann');
    honest.push(signalingPeer(host.ws, host.participantId), signalingPeer(ann.ws, ann.participantId));
    await Promise.all(honest.map((p) => p.publish()));
    ({ ws: attackerWs } = await join('Mallory'));
  }, 90_000);

  afterAll(async () => {
    attacker?.close();
    for (const p of honest) p.close();
    for (const s of sockets) s.close();
    await srv.stop();
  });

  it('keeps the node and the honest participants running through every malformed packet', async () => {
    expect(await progressed([0, 0], 5)).toBe(true);
    attacker = await connectAttacker(attackerWs);
    // Valid keyframes first, so the honest subscribers' slots lock on to the attacker's stream.
    let seq = 1000;
    let ts = 90_000;
    for (let i = 0; i < 30; i++) {
      attacker.sendVideo(vp8Keyframe(seq++, (ts += 3000), 300 + i));
      await sleep(33);
    }
    const before = (await Promise.all(honest.map((p) => p.received()))).map((r) => r.frames);
    const sent = new Map<string, number>();
    const count = (name: string, ok: boolean): void => void sent.set(name, (sent.get(name) ?? 0) + (ok ? 1 : 0));
    for (let round = 0; round < 20; round++) {
      for (const [name, pkt] of hostileVideoPackets(seq, (ts += 3000))) count(name, attacker.sendVideo(pkt));
      seq += 20;
      for (const [name, pkt] of hostileRtcpPackets()) count(name, attacker.sendVideo(pkt));
      attacker.sendVideo(vp8Keyframe(seq++, (ts += 3000), 400 + round));
      await sleep(20);
    }
    await sleep(500);
    // The packet that aborted the process before (issue 10) must really have left the attacker.
    expect(sent.get('truncated picture id')).toBe(20);
    console.log('hostile packets sent through SRTP:', Object.fromEntries(sent));
    expect(exited(), srv.output()).toBeNull();
    expect(await healthy()).toBe(true);
    expect(await progressed(before, 10)).toBe(true);
    expect(exited(), srv.output()).toBeNull();
  }, 90_000);

  it('keeps the node running when a participant whose connection failed re-offers, plainly and with new ICE credentials', async () => {
    const { ws } = await join('Failing');
    // A wrong fingerprint: the SFU's DTLS handshake fails and libdatachannel closes that connection.
    const failed = await connectAttacker(ws, { mungeOffer: wrongFingerprint, waitOpen: false });
    await sleep(3000);
    const before = (await Promise.all(honest.map((p) => p.received()))).map((r) => r.frames);
    // The same offer again on the failed connection (what a browser sends when screen sharing
    // starts or stops): this aborted the process with std::logic_error before issue 14.
    const again = await ws.send('media.publish', { sdp: failed.offer });
    const restarted = await ws.send('media.publish', { sdp: newIceCredentials(failed.offer) });
    await sleep(1000);
    expect(exited(), srv.output()).toBeNull();
    expect([again.ok, restarted.ok]).toBeDefined();
    failed.close();
    // And a fresh connection from the same participant works.
    const fresh = await connectAttacker(ws);
    expect(fresh.video.isOpen()).toBe(true);
    fresh.close();
    expect(await healthy()).toBe(true);
    expect(await progressed(before, 10)).toBe(true);
    expect(exited(), srv.output()).toBeNull();
  }, 90_000);
});
