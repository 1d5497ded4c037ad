/**
 * bench/memorial.ts's roster measurement (issue 15 item 5): one meeting of N on the bench's
 * server, the clients in a child process (memorial-roster-clients.ts) so this process's CPU is
 * the server's alone, and one real Chromium page as the first member (bench/roster-page-entry.ts:
 * the web client's signaling, chain keeper and room reducer). Run once with batched roster
 * frames and once one event at a time. Prints join time of the last (p50/p99), roster bytes and
 * frames per arrival per present member, the last joiner's join result size, server CPU per join
 * around N=50 and N, and the browser's verification time, CPU and heap.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { createMeeting, signUp, startServer } from '../test/helpers/app.js';

interface ClientsReport {
  joinMs: number[];
  perArrivalBytes: number;
  perArrivalFrames: number;
  lastResultBytes: number;
  chain: unknown[];
  burstFramesPerArrival: number;
  burstBytesPerArrival: number;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Join the clients after the first `offset` members (the page) and read this process's CPU around joins 41–50 and N-9–N. */
async function joinAll(
  wsUrl: string,
  meetingId: string,
  n: number,
  mode: 'batched' | 'single',
  offset: number,
): Promise<ClientsReport & { cpuPerJoin: Map<number, number> }> {
  const marks = [50 - offset, n - offset];
  const child = fork(fileURLToPath(new URL('./memorial-roster-clients.ts', import.meta.url)), [wsUrl, meetingId, String(n - offset), mode, marks.join(',')], {
    execArgv: process.execArgv,
  });
  const cpuPerJoin = new Map<number, number>();
  let started = 0;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => code !== 0 && code !== null && reject(new Error(`roster clients exited ${code}`)));
    child.on('message', (m: { mark?: 'start' | 'end'; at?: number; done?: boolean } & ClientsReport) => {
      if (m.mark === 'start') started = cpuMs();
      else if (m.mark === 'end' && m.at !== undefined) cpuPerJoin.set(m.at + offset, (cpuMs() - started) / 10);
      if (m.mark) child.send('go');
      if (m.done) resolve({ ...m, cpuPerJoin });
    });
  });
}

/**
 * On a server of its own with the null media plane: signaling and roster only, so that the
 * SFU's work for 250 subscriber legs that never answer (the memorial's media part) is not
 * counted as join cost.
 */
export async function measureRoster(n: number): Promise<void> {
  const server = await startServer({ config: { LOG_LEVEL: 'warn' } });
  const host = await signUp(server);
  const newMeeting = async (): Promise<string> => (await createMeeting(server, host.cookie)).id;
  const url = server.url;
  const entry = fileURLToPath(new URL('./roster-page-entry.ts', import.meta.url));
  const bundle =
    (await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120' })).outputFiles[0]?.text ?? '';
  const wsUrl = url.replace(/^http/, 'ws') + '/ws';
  const browser = await launchBrowser({ args: ['--enable-precise-memory-info'] });
  try {
    const page = await (await browser.newContext()).newPage();
    // Any page of the server's origin will do (the bench's server is already listening: no new routes).
    await page.goto(`${url}/api/config`);
    await page.addScriptTag({ content: bundle });
    await page.waitForFunction(() => 'roster' in window);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m: { name: string; value: number }) => [m.name, m.value]));
    type Api = {
      join(id: string, wsUrl: string): Promise<number>;
      stats(): Record<string, number | boolean>;
      verify(chain: unknown[]): Promise<Record<string, number | boolean>>;
    };

    const rows: string[] = [];
    for (const mode of ['batched', 'single'] as const) {
      const meetingId = await newMeeting();
      let before: Record<string, number> = {};
      if (mode === 'batched') {
        await page.evaluate(async ([id, ws]) => (window as unknown as { roster: Api }).roster.join(id, ws), [meetingId, wsUrl] as const);
        await cdp.send('HeapProfiler.collectGarbage');
        before = await metrics();
      }
      const r = await joinAll(wsUrl, meetingId, n, mode, mode === 'batched' ? 1 : 0);
      const cpu50 = r.cpuPerJoin.get(50) ?? NaN;
      const cpuN = r.cpuPerJoin.get(n) ?? NaN;
      rows.push(
        `| ${mode} | ${r.joinMs.at(-1)?.toFixed(1)} | ${pct(r.joinMs, 0.5).toFixed(1)} / ${pct(r.joinMs, 0.99).toFixed(1)} | ${r.perArrivalBytes.toFixed(0)} | ${r.perArrivalFrames.toFixed(2)} | ${(r.lastResultBytes / (n - 1)).toFixed(0)} | ${cpu50.toFixed(2)} | ${cpuN.toFixed(2)} | ${(cpuN / cpu50).toFixed(1)}× | ${r.burstFramesPerArrival.toFixed(2)} / ${r.burstBytesPerArrival.toFixed(0)} |`,
      );
      if (mode === 'batched') {
        await new Promise((res) => setTimeout(res, 500));
        const s = await page.evaluate(() => (window as unknown as { roster: Api }).roster.stats());
        await cdp.send('HeapProfiler.collectGarbage');
        const after = await metrics();
        const v = await page.evaluate(async (chain) => (window as unknown as { roster: Api }).roster.verify(chain), r.chain);
        console.log(
          `browser member (Chromium, web client signaling + ChainKeeper + room reducer) through ${n - 1} arrivals: chain ${String(s.chain)} verified ${String(s.verified)}, roster ${String(s.roster)}, ${String(s.announcements)} chain announcements; main-thread tasks ${(((after.TaskDuration ?? 0) - (before.TaskDuration ?? 0)) * 1000).toFixed(0)} ms (script ${(((after.ScriptDuration ?? 0) - (before.ScriptDuration ?? 0)) * 1000).toFixed(0)} ms, reducer ${Number(s.reducerMs).toFixed(1)} ms), JS heap ${((before.JSHeapUsedSize ?? 0) / 1e6).toFixed(2)} → ${((after.JSHeapUsedSize ?? 0) / 1e6).toFixed(2)} MB`,
        );
        console.log(
          `browser chain verification at ${r.chain.length} events: whole chain ${Number(v.loadMs).toFixed(1)} ms; event by event ${Number(v.appendMs).toFixed(1)} ms (${Number(v.perEventMs).toFixed(3)} ms per event); same head: ${String(v.verified)}`,
        );
      }
    }
    console.log(`roster at N=${n} (null media plane; clients in a child process; server CPU = this process):`);
    console.log(
      '| delivery | join of the last, ms | join p50 / p99, ms | roster bytes per arrival per present member | frames per arrival per member | join result bytes per member present | server CPU ms per join at N≈50 | at N=' +
        n +
        ' | ratio | burst of 32 joining at once: frames / bytes per arrival per member |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await browser.close();
    await server.close();
  }
}
