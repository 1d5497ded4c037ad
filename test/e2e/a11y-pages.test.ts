/**
 * WCAG 2.2 A/AA on every page outside the meeting room (issue 17): axe-core reports 0
 * violations on home, sign-up, a failed sign-in, dashboard, settings, admin, compliance with a
 * demand open and transparency, in the light and the dark colour scheme, in English and
 * Traditional Chinese; at 320 px none of them scrolls sideways. Each page has its own title.
 *
 * SHOTS_DIR (default /tmp/shots) gets a11y-<page>-<scheme>-<width>.png for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, countNodes, describeViolations, focused, horizontalOverflow, overflowingElements, setScheme } from './helpers/a11y.js';
import { ensureWebBuilt, launchBrowser, newContext, startServer, type RunningServer } from './helpers/browser.js';
import { geoServerEnv, signedInContext } from './helpers/people.js';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const LANGS = ['en', 'zh-Hant'] as const;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let n = 0;

beforeAll(async () => {
  ensureWebBuilt();
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer(geoServerEnv());
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function withLang(c: BrowserContext, lang: string): Promise<BrowserContext> {
  await c.addInitScript((l) => localStorage.setItem('parley.lang', l), lang);
  contexts.push(c);
  return c;
}

/** A page of a new account with `roles`, in `lang`. */
async function person(lang: string, roles: string[] = []): Promise<Page> {
  const c = await signedInContext(browser, server, `a11y-${n++}-${Date.now()}@example.org`, roles);
  return (await withLang(c, lang)).newPage();
}

async function anonymous(lang: string): Promise<Page> {
  return (await withLang(await newContext(browser, { baseURL: server.url }), lang)).newPage();
}

/**
 * axe in both colour schemes and at 320 px (no sideways scroll there either); every
 * failure collected into one message so a run shows them all.
 */
async function checkEverywhere(page: Page, label: string, ready: () => Promise<unknown>): Promise<void> {
  const problems: string[] = [];
  let nodes = 0;
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await ready();
    const v = await axeViolations(page);
    nodes += countNodes(v);
    if (v.length) problems.push(describeViolations(`${label} ${scheme}`, v));
    await page.screenshot({ path: join(SHOTS, `a11y-${label}-${scheme}-1280.png`), fullPage: true });
  }
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 720 });
  for (const scheme of ['light', 'dark'] as const) {
    await setScheme(page, scheme);
    await ready();
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) problems.push(`${label} ${scheme} 320px: scrolls sideways by ${overflow}px: ${(await overflowingElements(page)).join(', ')}`);
    const v = await axeViolations(page);
    nodes += countNodes(v);
    if (v.length) problems.push(describeViolations(`${label} ${scheme} 320px`, v));
    await page.screenshot({ path: join(SHOTS, `a11y-${label}-${scheme}-320.png`), fullPage: true });
  }
  if (desktop) await page.setViewportSize(desktop);
  await setScheme(page, 'light');
  console.log(`[a11y] ${label}: ${nodes} violating node(s)`);
  expect.soft(problems, problems.join('\n')).toEqual([]);
}

async function title(page: Page): Promise<string> {
  await expect.poll(() => page.title()).not.toBe('');
  return page.title();
}

describe.each(LANGS)('pages in %s', (lang) => {
  it('home, sign-up and a failed sign-in: 0 violations; focus goes to the error after a failed sign-in', async () => {
    const page = await anonymous(lang);
    await page.goto('/');
    await checkEverywhere(page, `home-${lang}`, () => page.getByTestId('home-page').waitFor());
    const homeTitle = await title(page);

    await page.getByTestId('tab-signup').click();
    await checkEverywhere(page, `signup-${lang}`, () => page.getByTestId('auth-name').waitFor());

    await page.getByTestId('tab-signin').click();
    await page.getByTestId('auth-email').fill('nobody@example.org');
    await page.getByTestId('auth-password').fill('wrong password');
    await page.getByTestId('auth-password').press('Enter');
    await page.getByTestId('auth-error').waitFor();
    // Focus is not lost to the body while the submit button is busy: it lands on the error.
    await expect.poll(async () => (await focused(page)).testId).toBe('auth-error');
    await checkEverywhere(page, `signin-failed-${lang}`, () => page.getByTestId('auth-error').waitFor());
    expect(homeTitle).toMatch(/Parley/);
  });

  it('dashboard, settings, admin, compliance (a demand open) and transparency: 0 violations, each with its own title', async () => {
    const titles = new Map<string, string>();
    const host = await person(lang);
    await host.goto('/');
    await checkEverywhere(host, `dashboard-${lang}`, () => host.getByTestId('create-meeting-form').or(host.locator('#main h1')).first().waitFor());
    titles.set('dashboard', await title(host));

    await host.goto('/settings');
    await checkEverywhere(host, `settings-${lang}`, () => host.locator('main h1, main h2').first().waitFor());
    titles.set('settings', await title(host));

    await host.goto('/transparency');
    await checkEverywhere(host, `transparency-${lang}`, () => host.locator('main h1, main h2').first().waitFor());
    titles.set('transparency', await title(host));

    const admin = await person(lang, ['admin']);
    await admin.goto('/admin');
    await checkEverywhere(admin, `admin-${lang}`, () => admin.locator('.pl-table').first().waitFor());
    titles.set('admin', await title(admin));

    const officer = await person(lang, ['compliance']);
    const created = await officer.request.post('/api/meetings', { data: { title: 'Vigil' } });
    expect(created.ok()).toBe(true);
    const meetingId = ((await created.json()) as { meeting: { id: string } }).meeting.id;
    await officer.goto('/compliance');
    const form = officer.getByTestId('demand-form');
    await form.waitFor();
    await form.locator('[name="authority"]').fill('Test Authority');
    await form.locator('[name="jurisdiction"]').selectOption('CN');
    await form.locator('[name="legalBasis"]').fill('Article 1 of the Test Law');
    await form.locator('[name="reference"]').fill(`TA-${lang}`);
    await form.locator('[name="receivedAt"]').fill('2020-06-04');
    await form.locator('[name="askedText"]').fill(`Block meeting ${meetingId}.`);
    await form.locator('[name="meetings"]').fill(meetingId);
    await form.locator('[name="document"]').setInputFiles({ name: 'order.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.getByTestId('record-demand').click();
    const item = officer.getByTestId('demand-item').first();
    await item.waitFor();
    await item.locator('button').click();
    await officer.getByTestId('demand-detail').locator('[data-testid="demand-detail-state"]').waitFor();
    await checkEverywhere(officer, `compliance-${lang}`, () => officer.getByTestId('demand-detail-state').waitFor());
    titles.set('compliance', await title(officer));

    // Every page names itself: no two share a title.
    expect(new Set(titles.values()).size, JSON.stringify([...titles])).toBe(titles.size);
  });
});

describe('transparency skip link', () => {
  it('"Skip to content" moves focus to the page content', async () => {
    const page = await anonymous('en');
    await page.goto('/transparency');
    await page.locator('main h1').waitFor();
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).id).toBe('main');
  });
});
