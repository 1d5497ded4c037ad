/**
 * The forms a new host goes through, in real Chromium against the real server: sign up on the
 * home page, a refused sign-in says why, schedule a meeting (it is listed) and start an instant
 * one (the lobby opens and the host joins it).
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, newContext, startServer, type RunningServer } from './helpers/browser.js';
import { PASSWORD } from './helpers/people.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function page() {
  const c = await newContext(browser, { baseURL: server.url });
  contexts.push(c);
  return c.newPage();
}

describe('account and meeting forms', () => {
  it('signs up, refuses a wrong password with a sentence, schedules a meeting and starts one', async () => {
    const email = `form-${Date.now()}@example.org`;
    const p = await page();
    await p.goto('/');
    await p.getByTestId('tab-signup').click();
    await p.getByTestId('auth-name').fill('Lin Mei');
    await p.getByTestId('auth-email').fill(email);
    await p.getByTestId('auth-password').fill(PASSWORD);
    await p.getByTestId('auth-submit').click();
    await p.getByTestId('dashboard').waitFor();

    // Schedule one: it appears in the list with its title.
    await p.getByTestId('create-scheduled').click();
    await p.getByTestId('create-title').fill('Weekly vigil');
    await p.getByTestId('create-submit').click();
    await p.getByTestId('meeting-row').filter({ hasText: 'Weekly vigil' }).waitFor();

    // Start one now: the lobby opens and the host joins.
    await p.getByTestId('create-instant').click();
    await p.getByTestId('create-title').fill('Memorial tonight');
    await p.getByTestId('create-submit').click();
    await p.waitForURL(/\/m\/[A-Za-z0-9_-]+$/);
    await p.getByTestId('join-button').click();
    await p.getByTestId('meeting-room').waitFor();

    // A second visitor signing in with a wrong password is told so, on the form.
    const other = await page();
    await other.goto('/');
    await other.getByTestId('auth-email').fill(email);
    await other.getByTestId('auth-password').fill('not the password');
    await other.getByTestId('auth-submit').click();
    const error = other.getByTestId('auth-error');
    await error.waitFor();
    expect((await error.innerText()).length).toBeGreaterThan(5);
    expect(await other.getByTestId('auth-submit').isEnabled()).toBe(true);
    // Switching tabs clears it.
    await other.getByTestId('tab-signup').click();
    expect(await other.getByTestId('auth-error').count()).toBe(0);
  }, 90_000);
});
