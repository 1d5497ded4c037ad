/**
 * End-to-end encryption in real Chromium: three pages in an encrypted meeting decode each
 * other; a tap the server adds outside the roster sees only ciphertext and every page warns
 * about it; after a removal, frames cannot be decrypted with any key the removed page held.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptFrame, frameKeyId, importMediaKey, TRAILER_BYTES, type FrameKind } from '../../web/src/security/frame-crypto.js';
import { fromB64 } from '../../web/src/security/encoding.js';
import { launchBrowser } from './helpers/browser.js';
import { startE2eeServer, type E2eeServer } from './e2ee-server.js';
import { entropy, startTap, type Tap, type TapFrame } from './e2ee-tap.js';

type Stats = {
  inbound: { kind: string; framesDecoded: number }[];
  worker: { encrypted: number; decrypted: number; failed: number; noKey: number } | null;
  code: string | null;
  verified: boolean;
  encryption: string;
  keyId: number;
  members: string[];
  warnings: string[];
};
type Keys = { own: Record<string, string>; received: Record<string, Record<string, string>> };

let server: E2eeServer;
let browser: Browser;
let meetingId: string;
const pages: { name: string; page: Page; id: string }[] = [];
let tap: Tap | null = null;

const stats = (p: Page) => p.evaluate(() => (window as never as { parley: { stats(): Promise<unknown> } }).parley.stats()) as Promise<Stats>;
const keys = (p: Page) => p.evaluate(() => (window as never as { parley: { keys(): unknown } }).parley.keys()) as Promise<Keys>;
const kindOf = (f: TapFrame): FrameKind => (f.kind === 'audio' ? 'audio' : ((f.data[0] ?? 1) & 1) === 0 ? 'video-key' : 'video-delta');

async function until(what: string, pred: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}${tap ? `; tap: ${tap.describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function tryDecrypt(f: TapFrame, rawB64: string): Promise<boolean> {
  try {
    await decryptFrame(await importMediaKey(fromB64(rawB64)), f.data, kindOf(f));
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  server = await startE2eeServer();
  browser = await launchBrowser();
  const m = await server.newMeeting(true);
  meetingId = m.meetingId;
  for (const [name, cookie] of [
    ['Host', m.hostCookie],
    ['Ann', undefined],
    ['Bo', undefined],
  ] as const) {
    const page = await server.openPage(browser, cookie);
    const id = await page.evaluate((o) => (window as never as { parley: { start(o: object): Promise<string> } }).parley.start(o), {
      meetingId,
      name,
      encrypt: true,
      // Three pages encode and decode on the CI machine's 2 cores: a small picture keeps the
      // handshakes from being starved (what is tested does not depend on the resolution).
      video: { width: 320, height: 180, frameRate: 15 },
    });
    pages.push({ name, page, id });
  }
});

afterAll(async () => {
  tap?.close();
  await browser?.close();
  await server?.close();
});

describe('end-to-end encrypted meeting in Chromium', () => {
  it('has every page decode the others and agree on one security code', async () => {
    let seen: Stats[] = [];
    try {
      await until(
        'all pages decode two remote videos',
        async () => {
          seen = await Promise.all(pages.map((p) => stats(p.page)));
          return seen.every((s) => s.inbound.filter((i) => i.kind === 'video' && i.framesDecoded > 0).length >= 2);
        },
        60_000,
      );
    } catch (err) {
      // Say what each page had: inbound packets/frames per stream, the worker's counters, keys.
      const events = await Promise.all(pages.map((p) => p.page.evaluate(() => (window as never as { parley: { events(): string[] } }).parley.events())));
      const report = pages.map((p, i) => ({
        page: p.name,
        stats: seen[i],
        events: events[i]?.filter((e) => e.startsWith('media') || e === 'e2ee.key').length,
      }));
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${JSON.stringify(report, null, 1)}`, { cause: err });
    }
    const all = await Promise.all(pages.map((p) => stats(p.page)));
    for (const s of all) {
      expect(s.encryption).toBe('on');
      expect(s.verified).toBe(true);
      expect(s.worker?.encrypted).toBeGreaterThan(0);
      expect(s.worker?.decrypted).toBeGreaterThan(0);
      expect(s.warnings).not.toContain('unknown-receiver');
      expect(s.members.sort()).toEqual(pages.map((p) => p.id).sort());
    }
    expect(new Set(all.map((s) => s.code)).size).toBe(1);
    expect(all[0]?.code).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
  });

  it('shows a server-side tap outside the roster only ciphertext, and every page warns about it', async () => {
    tap = startTap(server.hooks, server.services.media, meetingId);
    await until('every page warns about the hidden receiver', async () => {
      const all = await Promise.all(pages.map((p) => stats(p.page)));
      return all.every((s) => s.warnings.includes('unknown-receiver'));
    });
    const fromEveryone = (t: Tap) => async () => pages.every((p) => t.frames.some((f) => f.kind === 'video' && f.publisherId === p.id && f.data.length > 100));
    try {
      await until('the tap has video frames from every publisher', fromEveryone(tap), 15_000);
    } catch (err) {
      // Seen once in CI (not reproduced in ~10 runs here): the tap's own connection got no video
      // for a minute. The tap is test equipment, not the thing under test: say what it saw, and
      // attach a fresh one once. Confidentiality is asserted on whatever it then receives.
      console.warn(`e2ee tap: re-attaching after ${err instanceof Error ? err.message : String(err)}`);
      tap.close();
      tap = startTap(server.hooks, server.services.media, meetingId);
      await until('the re-attached tap has video frames from every publisher', fromEveryone(tap));
    }
    const t = tap;
    // The byte-entropy estimate is biased low on small samples (about 255 / (2 n ln 2) bits:
    // 0.15 at 1.2 KB, which failed this once at 7.85): measure on at least 32 KB.
    await until(
      '32 KB of video on the tap',
      async () => t.frames.reduce((n, f) => n + (f.kind === 'video' && f.data.length > 100 ? f.data.length : 0), 0) >= 32 * 1024,
    );
    const video = t.frames.filter((f) => f.kind === 'video' && f.data.length > 100);
    // Only the clear VP8 header (10 bytes keyframe / 3 delta) is readable; the rest is AES-GCM.
    const body = Buffer.concat(video.map((f) => f.data.subarray(kindOf(f) === 'video-key' ? 10 : 3, f.data.length - TRAILER_BYTES)));
    expect(entropy(body)).toBeGreaterThan(7.9);
    // Each frame opens with its sender's key and only with it: it is our ciphertext, not VP8.
    const hostKeys = await keys(pages[0]!.page);
    const fromAnn = video.filter((f) => f.publisherId === pages[1]!.id).slice(-5);
    expect(fromAnn.length).toBeGreaterThan(0);
    for (const f of fromAnn) {
      const kid = frameKeyId(f.data, kindOf(f));
      const right = hostKeys.received[pages[1]!.id]?.[kid];
      expect(right, `key ${kid}`).toBeDefined();
      expect(await tryDecrypt(f, right!)).toBe(true);
      const other = Object.values(hostKeys.own)[0]!;
      expect(await tryDecrypt(f, other)).toBe(false);
    }
    // Audio: everything after the Opus TOC byte is encrypted too.
    const audio = t.frames.filter((f) => f.kind === 'audio' && f.publisherId === pages[1]!.id).slice(-3);
    for (const f of audio) expect(await tryDecrypt(f, hostKeys.received[pages[1]!.id]![frameKeyId(f.data, 'audio')]!)).toBe(true);
  });

  it('seals chat on the sender’s page: the other pages read it; the server relays and stores only the sealed message', async () => {
    type Read = { from: string; sealed: string | null; text: string | null }[];
    type Api = { parley: { chatSend(t: string): Promise<unknown>; chatRead(): Promise<Read> } };
    await until('every page has a key to send with', async () => (await Promise.all(pages.map((p) => stats(p.page)))).every((s) => s.keyId >= 0));
    await new Promise((r) => setTimeout(r, 500)); // past the switch delay of the latest rotation
    const words = 'Candles at eight · 八點點蠟燭';
    const sender = pages[1]!;
    await sender.page.evaluate((w) => (window as never as Api).parley.chatSend(w), words);
    for (const p of [pages[0]!, pages[2]!]) {
      await until(`${p.name} reads the message`, async () =>
        (await p.page.evaluate(() => (window as never as Api).parley.chatRead())).some((m) => m.from === sender.id && m.text === words),
      );
    }
    const received = await pages[0]!.page.evaluate(() => (window as never as Api).parley.chatRead());
    expect(received.find((m) => m.from === sender.id)?.sealed).toMatch(/^v1\./);
    // Chat is relayed, never stored (test/integration/chat-at-rest.test.ts scans the files).
    const tables = server.services.storage.sqlite?.prepare("SELECT name FROM sqlite_master WHERE name = 'chat_messages'").all();
    expect(tables).toEqual([]);
  });

  it('rotates keys on removal so frames sent afterwards cannot be decrypted with the removed page’s keys', async () => {
    const removed = pages[2]!;
    const held = await keys(removed.page);
    const before = await Promise.all(pages.slice(0, 2).map((p) => stats(p.page)));
    await pages[0]!.page.evaluate(
      (id) => (window as never as { parley: { request(t: string, p: object): Promise<unknown> } }).parley.request('host.remove', { participantId: id }),
      removed.id,
    );
    await until('both remaining pages rotated their key', async () => {
      const now = await Promise.all(pages.slice(0, 2).map((p) => stats(p.page)));
      return now.every((s, i) => s.keyId !== before[i]!.keyId);
    });
    await new Promise((r) => setTimeout(r, 1500)); // past the switch delay
    const since = Date.now();
    const t = tap as Tap;
    await until('post-removal frames from both remaining publishers', async () =>
      pages.slice(0, 2).every((p) => t.frames.filter((f) => f.at > since && f.kind === 'video' && f.publisherId === p.id).length >= 5),
    );
    const hostKeys = await keys(pages[0]!.page);
    const annKeys = await keys(pages[1]!.page);
    let tried = 0;
    for (const [pub, holder] of [
      [pages[0]!, annKeys],
      [pages[1]!, hostKeys],
    ] as const) {
      const after = t.frames.filter((f) => f.at > since && f.publisherId === pub.id && f.data.length > 40).slice(-10);
      const oldKeys = Object.values(held.received[pub.id] ?? {});
      expect(oldKeys.length).toBeGreaterThan(0);
      for (const f of after) {
        const kid = frameKeyId(f.data, kindOf(f));
        for (const k of [...oldKeys, ...Object.values(held.own)]) expect(await tryDecrypt(f, k)).toBe(false);
        // The remaining participant can: the frame is fine, the removed page just lacks the key.
        expect(await tryDecrypt(f, holder.received[pub.id]![kid]!)).toBe(true);
        tried++;
      }
    }
    expect(tried).toBeGreaterThanOrEqual(10);
    // And the remaining pages still decode each other after the rotation.
    // (Polled for up to 3 s: one of 20 runs on a loaded 2-core machine saw a page's count stand
    // still for the first second; the stats are printed if it happens again.)
    const decoded = await Promise.all(pages.slice(0, 2).map(async (p) => (await stats(p.page)).worker?.decrypted ?? 0));
    let later: number[] = decoded;
    const moved = async (): Promise<boolean> => {
      later = await Promise.all(pages.slice(0, 2).map(async (p) => (await stats(p.page)).worker?.decrypted ?? 0));
      return later.every((n, i) => n > decoded[i]!);
    };
    const deadline = Date.now() + 3000;
    while (!(await moved()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!later.every((n, i) => n > decoded[i]!))
      console.log('decrypted counts stood still after the rotation', JSON.stringify(await Promise.all(pages.slice(0, 2).map((p) => stats(p.page)))));
    later.forEach((n, i) => expect(n).toBeGreaterThan(decoded[i]!));
    const codes = await Promise.all(pages.slice(0, 2).map(async (p) => (await stats(p.page)).code));
    expect(codes[0]).toBe(codes[1]);
  });
});
