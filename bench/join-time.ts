/**
 * join-time: from the joining page's start (it opens the signaling WebSocket, joins,
 * publishes and subscribes) to the first remote video frame decoded there, in headless
 * Chromium against the real server and SFU on loopback. One publisher is already in the
 * meeting; 10 joins one after another, each in a fresh page. Prints median and p90.
 * Run: npx tsx bench/join-time.ts [joins=10]
 */
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startE2eeServer } from '../test/e2e/e2ee-server.js';

const JOINS = Number(process.argv[2] ?? 10);
type Parley = { start(o: object): Promise<string>; stats(): Promise<{ inbound: { kind: string; framesDecoded: number }[] }> };

/** In the page: start, then poll stats every 5 ms until a remote video frame is decoded. */
function joinAndWait(page: Page, o: { meetingId: string; name: string }): Promise<number> {
  return page.evaluate(async (opts) => {
    const parley = (window as unknown as { parley: Parley }).parley;
    const t0 = performance.now();
    await parley.start({ ...opts, encrypt: false });
    for (;;) {
      const s = await parley.stats();
      if (s.inbound.some((x) => x.kind === 'video' && x.framesDecoded > 0)) return performance.now() - t0;
      if (performance.now() - t0 > 20_000) throw new Error('no remote video within 20 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  }, o);
}

const server = await startE2eeServer();
const browser = await launchBrowser();
try {
  const m = await server.newMeeting(false);
  const host = await server.openPage(browser, m.hostCookie);
  await host.evaluate((o) => (window as unknown as { parley: Parley }).parley.start(o), { meetingId: m.meetingId, name: 'Publisher', encrypt: false });
  await new Promise((r) => setTimeout(r, 3000)); // publisher's simulcast layers are flowing
  const times: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    const page = await server.openPage(browser);
    times.push(await joinAndWait(page, { meetingId: m.meetingId, name: `Joiner ${i}` }));
    await page.context().close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  console.log(`join-time: ${JOINS} joins into a meeting with one publisher (Chromium fake camera, VP8 simulcast), loopback`);
  console.log(`  each: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  console.log(`  median ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms (target median ≤ 300 ms)`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(0);
