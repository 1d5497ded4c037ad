/**
 * The client as developers run it: Vite's dev server, React's development build, StrictMode
 * (which mounts, unmounts and remounts every component at once). Two people in a meeting must
 * see each other's video there too. This broke once: the remount made a second MediaClient
 * after the first had already taken the SFU's subscriber offer, so the guest got no video.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, startServer, type RunningServer } from './helpers/browser.js';

let server: RunningServer;
let vite: ViteDevServer;
let devUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

const RECORD_PCS = `(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Orig { constructor(...a) { super(...a); window.__pcs.push(this); } };
})();`;

beforeAll(async () => {
  server = await startServer();
  const backend = server.url;
  vite = await createServer({
    configFile: 'web/vite.config.ts',
    logLevel: 'warn',
    server: {
      port: 0,
      host: '127.0.0.1',
      proxy: { '/api': backend, '/ws': { target: backend, ws: true }, '/.well-known': backend },
    },
  });
  await vite.listen();
  devUrl = vite.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? '';
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await vite?.close();
  await server?.stop();
});

async function page(): Promise<Page> {
  const c = await newContext(browser, { baseURL: devUrl });
  await c.addInitScript(RECORD_PCS);
  contexts.push(c);
  return c.newPage();
}

/** Frames decoded from remote video, and how many connections the page has made and kept open. */
function media(p: Page): Promise<{ frames: number; open: number; made: number }> {
  return p.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    let frames = 0;
    let open = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      open++;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      });
    }
    return { frames, open, made: pcs.length };
  });
}

describe('the Vite dev server (React StrictMode)', () => {
  it('gives host and guest each other’s video, with one publisher and one subscriber connection each', async () => {
    const host = await page();
    const signup = await host.request.post('/api/auth/signup', {
      data: { email: `dev-${Date.now()}@example.org`, password: 'correct horse battery', displayName: 'Host' },
    });
    expect(signup.ok(), await signup.text()).toBe(true);
    const res = await host.request.post('/api/meetings', { data: { title: 'Dev mode' } });
    const { meeting } = (await res.json()) as { meeting: { id: string } };
    await host.goto(`/m/${meeting.id}`);
    await host.getByTestId('join-button').click({ timeout: 60_000 });
    await host.getByTestId('meeting-room').waitFor();
    const guest = await page();
    await guest.goto(`/m/${meeting.id}`);
    await guest.getByTestId('lobby-name').fill('Guest');
    await guest.getByTestId('join-button').click({ timeout: 60_000 });
    await guest.getByTestId('meeting-room').waitFor();
    for (const p of [host, guest]) {
      await expect.poll(async () => (await media(p)).frames, { timeout: 30_000, interval: 500 }).toBeGreaterThan(30);
      expect(await media(p)).toMatchObject({ open: 2, made: 2 });
    }
  }, 120_000);
});
