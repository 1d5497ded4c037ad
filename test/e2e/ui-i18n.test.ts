/**
 * The built web client, served by the real server, in a real Chromium: language chosen
 * from the browser, switchable and remembered; the lobby's join button reachable on a phone.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, PHONE, launchBrowser, newContext, startServer, type RunningServer } from './helpers/browser.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openHome(locale: string) {
  const ctx = await newContext(browser, { locale, baseURL: server.url });
  const page = await ctx.newPage();
  await page.goto('/');
  await page.getByTestId('home-page').waitFor();
  return { ctx, page };
}

describe('web client language', () => {
  it('renders the home page in Traditional Chinese for a zh-TW browser', async () => {
    const { ctx, page } = await openHome('zh-TW');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-Hant');
    await page.getByRole('heading', { name: '加入會議' }).waitFor();
    expect(await page.getByTestId('language-select').inputValue()).toBe('zh-Hant');
    await ctx.close();
  });

  it('renders the home page in Simplified Chinese for a zh-CN browser', async () => {
    const { ctx, page } = await openHome('zh-CN');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-Hans');
    await page.getByRole('heading', { name: '加入会议' }).waitFor();
    await ctx.close();
  });

  it('renders the home page in English for an en-US browser', async () => {
    const { ctx, page } = await openHome('en-US');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('heading', { name: 'Join a meeting' }).waitFor();
    expect(await page.getByText('加入').count()).toBe(0);
    await ctx.close();
  });

  it('switches language from the header menu and remembers the choice after a reload', async () => {
    const { ctx, page } = await openHome('en-US');
    await page.getByTestId('language-select').selectOption('zh-Hant');
    await page.getByRole('heading', { name: '加入會議' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-Hant');
    await page.getByTestId('language-select').selectOption('zh-Hans');
    await page.getByRole('heading', { name: '加入会议' }).waitFor();
    await page.reload();
    await page.getByTestId('home-page').waitFor();
    await page.getByRole('heading', { name: '加入会议' }).waitFor();
    expect(await page.getByTestId('language-select').inputValue()).toBe('zh-Hans');
    await ctx.close();
  });
});

describe('web client on a phone', () => {
  it('shows the lobby join button without scrolling on a 390×844 screen', async () => {
    // A host creates a meeting with a passcode (the longest lobby form).
    const hostCtx = await newContext(browser, { baseURL: server.url });
    const signup = await hostCtx.request.post('/api/auth/signup', {
      data: { email: 'phone-host@example.org', password: 'correct horse battery', displayName: 'Host' },
    });
    expect(signup.ok()).toBe(true);
    const created = await hostCtx.request.post('/api/meetings', {
      data: { title: '六四三十七週年紀念晚會 — 海外悼念', passcode: '060489' },
    });
    expect(created.ok()).toBe(true);
    const { meeting } = (await created.json()) as { meeting: { id: string } };
    await hostCtx.close();

    for (const locale of ['zh-TW', 'en-US']) {
      const ctx = await newContext(browser, { locale, viewport: PHONE, baseURL: server.url });
      const page = await ctx.newPage();
      await page.goto(`/m/${meeting.id}`);
      const join = page.getByTestId('join-button');
      await join.waitFor();
      await page.getByTestId('lobby-passcode').waitFor();
      const box = await join.boundingBox();
      expect(box, locale).not.toBeNull();
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, `${locale}: join button bottom`).toBeLessThanOrEqual(PHONE.height);
      expect(box!.height).toBeGreaterThanOrEqual(44); // a thumb-sized target
      await ctx.close();
    }
  });
});
