/**
 * In-process Parley server with the real media plane and the test-only hooks, plus the
 * E2EE test page (esbuild bundles of test/e2e/e2ee-page-entry.ts and the transform worker)
 * under /__e2ee/. Used by the e2ee browser tests and the e2ee benchmarks.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { buildApp, type Services, type TestHooks } from '../../server/app.js';
import { testConfig } from '../../server/config/index.js';
import { createMediaServer } from '../../server/media/index.js';
import { openMemoryStorage } from '../../server/storage/index.js';
import { newContext } from './helpers/browser.js';

async function bundle(rel: string): Promise<string> {
  const entry = fileURLToPath(new URL(rel, import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome120' });
  return out.outputFiles[0]?.text ?? '';
}

export interface E2eeServer {
  url: string;
  services: Services;
  hooks: TestHooks;
  /** A signed-up host's session cookie value and a meeting it owns. */
  newMeeting(e2ee: boolean): Promise<{ meetingId: string; hostCookie: string }>;
  openPage(browser: Browser, cookie?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startE2eeServer(): Promise<E2eeServer> {
  const [page, worker] = await Promise.all([bundle('./e2ee-page-entry.ts'), bundle('../../web/src/security/e2ee-worker.ts')]);
  const storage = await openMemoryStorage();
  const hooks: TestHooks = {};
  const { app, services } = await buildApp({
    config: testConfig({ COOKIE_SECURE: 'false', LOG_LEVEL: 'warn' }),
    storage,
    createMedia: createMediaServer,
    testHooks: hooks,
  });
  app.get('/__e2ee/page', async (_req, reply) =>
    reply.type('text/html').send('<!doctype html><html><body><script src="/__e2ee/client.js"></script></body></html>'),
  );
  app.get('/__e2ee/client.js', async (_req, reply) => reply.type('text/javascript').send(page));
  app.get('/__e2ee/worker.js', async (_req, reply) => reply.type('text/javascript').send(worker));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  let n = 0;
  return {
    url,
    services,
    hooks,
    async newMeeting(e2ee) {
      const signup = await app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: `host${++n}-${Date.now()}@example.org`, password: 'correct horse battery', displayName: 'Host' },
      });
      const cookie = signup.cookies.find((c) => c.name === 'parley_session')?.value ?? '';
      const res = await app.inject({ method: 'POST', url: '/api/meetings', headers: { cookie: `parley_session=${cookie}` }, payload: { title: 'E2EE', e2ee } });
      return { meetingId: res.json<{ meeting: { id: string } }>().meeting.id, hostCookie: cookie };
    },
    async openPage(browser, cookie) {
      const ctx = await newContext(browser);
      if (cookie) await ctx.addCookies([{ name: 'parley_session', value: cookie, url }]);
      const p = await ctx.newPage();
      await p.goto(`${url}/__e2ee/page`);
      await p.waitForFunction(() => 'parley' in window);
      return p;
    },
    async close() {
      await app.close();
      await storage.close();
    },
  };
}
