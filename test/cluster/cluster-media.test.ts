/**
 * Three node processes with the real SFU (node-datachannel), one PostgreSQL, one Redis, and real
 * WebRTC peers (@roamhq/wrtc, libwebrtc encoders and decoders) that reach a node's media plane
 * through signaling, as the browser does. A meeting lives on one node (participants reaching
 * another node are redirected to it); media does not cross nodes (docs/cluster.md).
 *
 * The participant located in CN joins on signaling only: a peer's media path is re-located by
 * its remote address, which on one machine is loopback, not the GEO_TEST_MAP address its
 * socket was bound to. The peers that must keep their media are the ones sending it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPeer } from '../integration/media-wrtc-peer.js';
import { waitFor } from '../integration/media-wrtc-peer.js';
import { approveAt, createMeetingAt, demandBody, operatorAt, recordDemandAt, signUpAt } from './http.js';
import { join, startCluster, type Cluster, type Joined } from './harness.js';
import { signalingPeer } from './wrtc-signaling.js';

let c: Cluster;
let host: { id: string; cookie: string };
const open: Joined[] = [];
const peers: TestPeer[] = [];

const ws = (i: number) => c.nodes[i]!.wsUrl;
const all = () => c.nodes.map((n) => n.wsUrl);

async function joinAt(i: number, meetingId: string, from: string, name: string): Promise<Joined> {
  const j = await join(ws(i), all(), meetingId, { from, name, timeoutMs: 20_000 });
  open.push(j);
  return j;
}

async function publisher(j: Joined): Promise<TestPeer> {
  const p = signalingPeer(j.client, j.result.participantId);
  peers.push(p);
  await p.publish();
  return p;
}

/** Until every peer has received at least `video` more video packets than in `from`. */
async function flowing(ps: TestPeer[], from: { video: number }[], video = 30, timeoutMs = 15_000): Promise<boolean> {
  return waitFor(
    async () => (await Promise.all(ps.map((p) => p.received()))).every((r, i) => r.video >= (from[i]?.video ?? 0) + video && r.audio > 0),
    timeoutMs,
  );
}

beforeAll(async () => {
  c = await startCluster(3, { PARLEY_TEST_MEDIA: 'real' });
  host = await signUpAt(c.nodes[0]!.url, 'Host');
}, 120_000);

afterAll(async () => {
  for (const p of peers) p.close();
  for (const j of open) j.client.close();
  await c?.stop();
}, 60_000);

describe('real WebRTC peers on a cluster', () => {
  it('keeps media flowing between the others when a demand approved on node A removes the CN participant from a meeting on node B', async () => {
    const compliance = await operatorAt(c.nodes[2]!.url, c.databaseUrl, ['compliance']);
    const approver = await operatorAt(c.nodes[0]!.url, c.databaseUrl, ['approver']);
    const m = await createMeetingAt(c.nodes[1]!.url, host.cookie, 'Media vigil');
    const us = await joinAt(1, m, '127.0.0.4', 'US');
    const hk = await joinAt(2, m, '127.0.0.3', 'HK'); // redirected to node B
    const cn = await joinAt(0, m, '127.0.0.2', 'CN'); // redirected to node B
    expect([us.wsUrl, hk.wsUrl, cn.wsUrl]).toEqual([ws(1), ws(1), ws(1)]);
    expect(hk.redirects + cn.redirects).toBe(2);

    const media = [await publisher(us), await publisher(hk)];
    expect(await flowing(media, [{ video: 0 }, { video: 0 }])).toBe(true);

    const id = await recordDemandAt(c.nodes[2]!.url, compliance.cookie, demandBody([m]));
    await approveAt(c.nodes[0]!.url, approver.cookie, id);
    await cn.client.waitEvent('you.removed', () => true, 5000);
    expect(cn.client.event('you.removed')?.data).toMatchObject({ kind: 'legal', jurisdiction: 'CN' });
    await cn.client.until(() => cn.client.closeCode !== null, 5000);
    expect(cn.client.closeCode).toBe(4451);

    // The US and HK participants stay, and keep receiving each other's audio and video.
    const after = await Promise.all(media.map((p) => p.received()));
    expect(await flowing(media, after)).toBe(true);
    expect(us.client.closeCode).toBeNull();
    expect(hk.client.closeCode).toBeNull();
    const left = await us.client.waitEvent('participant.left', (d: { participantId: string }) => d.participantId === cn.result.participantId, 5000);
    expect(left).toBeTruthy();
  });

  it('brings media back on a surviving node after the node hosting the meeting is killed', async () => {
    const m = await createMeetingAt(c.nodes[1]!.url, host.cookie, 'Media failover');
    const people = [await joinAt(1, m, '127.0.0.4', 'Ann'), await joinAt(1, m, '127.0.0.4', 'Bo')];
    const before = [await publisher(people[0]!), await publisher(people[1]!)];
    expect(await flowing(before, [{ video: 0 }, { video: 0 }])).toBe(true);

    await c.nodes[1]!.kill();
    for (const p of people) await p.client.until(() => p.client.closeCode !== null, 5000);
    for (const p of before) p.close();
    const t0 = Date.now();
    const back = await Promise.all(['Ann', 'Bo'].map((name) => join(ws(2), all(), m, { from: '127.0.0.4', name, timeoutMs: 20_000 })));
    open.push(...back);
    expect(back[0]!.wsUrl).toBe(back[1]!.wsUrl);
    expect(back[0]!.wsUrl).not.toBe(ws(1));
    const again = [await publisher(back[0]!), await publisher(back[1]!)];
    expect(await flowing(again, [{ video: 0 }, { video: 0 }])).toBe(true);
    console.log(`media failover after SIGKILL: both peers receiving again ${Date.now() - t0} ms after they started rejoining`);
    await c.nodes[1]!.start();
  });
});
