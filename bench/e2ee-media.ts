/**
 * E2EE cost in real Chromium: three participants in one meeting, with and without
 * end-to-end encryption. Reports join time (start → first remote video frame decoded on
 * the joining page), browser CPU per frame (all Chromium processes' CPU time over a steady
 * window ÷ frames encoded + decoded on all pages) and the worker's AES-GCM time per frame.
 * Run: npx tsx bench/e2ee-media.ts [seconds=10]
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startE2eeServer } from '../test/e2e/e2ee-server.js';

const SECONDS = Number(process.argv[2] ?? 10);
type Stats = {
  inbound: { kind: string; framesDecoded: number }[];
  framesEncoded: number;
  worker: { encrypted: number; decrypted: number; cryptoMs: number } | null;
};
const P = (p: Page) => p as Page & { evaluate: Page['evaluate'] };
const stats = (p: Page) => P(p).evaluate(() => (window as never as { parley: { stats(): Promise<unknown> } }).parley.stats()) as Promise<Stats>;

/** CPU seconds used so far by every Chromium process under this one. */
function chromiumCpu(): number {
  const tick = 100;
  const kids = new Map<number, number[]>();
  const comm = new Map<number, string>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      const pid = Number(d);
      const ppid = Number(f[1]);
      comm.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      cpu.set(pid, (Number(f[11]) + Number(f[12])) / tick);
      kids.set(ppid, [...(kids.get(ppid) ?? []), pid]);
    } catch {
      /* process went away */
    }
  }
  let total = 0;
  const walk = (pid: number): void => {
    for (const k of kids.get(pid) ?? []) {
      if (/chrom/i.test(comm.get(k) ?? '')) total += cpu.get(k) ?? 0;
      walk(k);
    }
  };
  walk(process.pid);
  return total;
}

const frames = (all: Stats[]) =>
  all.reduce((n, s) => n + s.framesEncoded + s.inbound.filter((i) => i.kind === 'video').reduce((m, i) => m + i.framesDecoded, 0), 0);

async function run(encrypt: boolean) {
  const server = await startE2eeServer();
  const browser = await launchBrowser();
  try {
    const m = await server.newMeeting(encrypt);
    const pages: Page[] = [];
    const joinMs: number[] = [];
    for (const [i, cookie] of [m.hostCookie, undefined, undefined].entries()) {
      const page = await server.openPage(browser, cookie);
      const t0 = Date.now();
      await page.evaluate((o) => (window as never as { parley: { start(o: object): Promise<string> } }).parley.start(o), {
        meetingId: m.meetingId,
        name: `P${i}`,
        encrypt,
      });
      if (i > 0) {
        for (;;) {
          const s = await stats(page);
          if (s.inbound.some((x) => x.kind === 'video' && x.framesDecoded > 0)) break;
          if (Date.now() - t0 > 30_000) throw new Error('no remote video');
          await new Promise((r) => setTimeout(r, 20));
        }
        joinMs.push(Date.now() - t0);
      }
      pages.push(page);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const s0 = await Promise.all(pages.map(stats));
    const c0 = chromiumCpu();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const c1 = chromiumCpu();
    const s1 = await Promise.all(pages.map(stats));
    const n = frames(s1) - frames(s0);
    const cryptoFrames = s1.reduce(
      (a, s, i) => a + (s.worker ? s.worker.encrypted + s.worker.decrypted - (s0[i]!.worker!.encrypted + s0[i]!.worker!.decrypted) : 0),
      0,
    );
    const cryptoMs = s1.reduce((a, s, i) => a + (s.worker ? s.worker.cryptoMs - s0[i]!.worker!.cryptoMs : 0), 0);
    return {
      joinMs: joinMs.reduce((a, b) => a + b, 0) / joinMs.length,
      cpuMsPerFrame: ((c1 - c0) * 1000) / Math.max(1, n),
      cpuPercent: ((c1 - c0) / SECONDS) * 100,
      videoFrames: n,
      cryptoUsPerFrame: cryptoFrames > 0 ? (cryptoMs * 1000) / cryptoFrames : 0,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

const off = await run(false);
const on = await run(true);
console.log(`e2ee-media: 3 Chromium participants, VP8 640x360 simulcast + Opus, ${SECONDS} s window`);
console.log(`join → first remote frame: off ${off.joinMs.toFixed(0)} ms, on ${on.joinMs.toFixed(0)} ms`);
console.log(`browser CPU per video frame (encoded+decoded): off ${off.cpuMsPerFrame.toFixed(2)} ms, on ${on.cpuMsPerFrame.toFixed(2)} ms`);
console.log(`browser CPU total: off ${off.cpuPercent.toFixed(0)} %, on ${on.cpuPercent.toFixed(0)} % of one core`);
console.log(
  `worker AES-GCM per frame (audio+video, enc+dec): ${on.cryptoUsPerFrame.toFixed(1)} µs; frames in window off ${off.videoFrames}, on ${on.videoFrames}`,
);
process.exit(0);
