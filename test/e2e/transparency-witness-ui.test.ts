/**
 * Issue 13 in the browser (Debian Chromium): the transparency page's verifier pins the
 * instance's witness policy on first use, lets the user set another (and says when the instance's
 * differs), checks a receipt and saves it for `npx parley verify-receipt`; and when the operator
 * shows a second view of the log from the same database (rewritten at rest, re-signed, same
 * origin), the page raises a fork alarm instead of accepting it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { COSIGNATURE_ALG, formatVerifierKey } from '../../server/transparency/cosignature.js';
import { ensureWebBuilt, freePort, launchBrowser, newContext, startServer } from './helpers/browser.js';
import { signedInContext } from './helpers/people.js';
import { runParley, startParley, type Proc } from '../integration/transparency-harness.js';
import { forkAtRest, ORIGIN, policyText, seedLog, startLocalWitness, witnessesEnv, type LocalWitness } from '../integration/witness-harness.js';

let browser: Browser;
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  ensureWebBuilt();
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await browser.close();
});

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function serve(dir: string, port: number, witnesses: LocalWitness[]): Promise<Proc> {
  const p = await startParley(dir, { LOG_ORIGIN: ORIGIN, WITNESSES: witnessesEnv(witnesses), PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  stops.push(() => p.stop());
  return { ...p, url: `http://127.0.0.1:${port}`, port }; // PORT overrides the harness's own choice
}

const cosigned = async (url: string, n: number): Promise<void> => {
  await until(`${n} cosignatures`, async () => {
    const note = await (await fetch(`${url}/transparency/checkpoint`)).text();
    return note.split('\n').filter((l) => l.startsWith('\u2014 w')).length === n ? true : null;
  });
};

const status = (page: Page) => page.getByTestId('verify-status');

describe('the transparency page with witnesses', () => {
  it('pins the policy, checks and saves a receipt, and raises a fork alarm for a second view of the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-fork-ui-'));
    const logKey = await seedLog(dir, 10);
    const witnesses = await Promise.all(['w1', 'w2', 'w3'].map((w) => startLocalWitness(dir, `${w}.test/witness`, logKey)));
    for (const w of witnesses) stops.push(() => w.stop());
    const port = await freePort();
    const honest = await serve(dir, port, witnesses);
    await cosigned(honest.url, 3);

    const context = await newContext(browser, { baseURL: honest.url });
    const page = await context.newPage();
    await page.goto('/transparency');
    await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toMatch(/Verified up to entry 9 \(tree size 10\)\. Witnessed by 3 of 3/);
    // First use: the instance's suggestion (a majority) is pinned, and no warning.
    await expect.poll(() => page.getByTestId('policy-source').textContent()).toMatch(/Pinned from the instance's suggestion/);
    expect(await page.getByTestId('policy-text').textContent()).toMatch(/group majority 2 /);
    expect(await page.getByTestId('policy-differs').count()).toBe(0);

    // The user pins their own policy (all three); the instance's suggestion now differs: said, not adopted.
    await page.getByText('Set your own policy').click();
    await page.getByTestId('policy-input').fill(policyText(witnesses, 'all'));
    await page.getByTestId('policy-save').click();
    await expect.poll(() => page.getByTestId('policy-differs').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('policy-source').textContent()).toMatch(/Set by you/);
    await page.reload();
    await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toMatch(/Witnessed by 3 of 3/);
    expect(await page.getByTestId('policy-text').textContent()).toMatch(/group g all /);

    // A receipt for entry 3, checked here and saved; the CLI accepts the saved file offline.
    await page.goto('/transparency?entry=3');
    await expect
      .poll(() => page.getByTestId('receipt-status').textContent(), { timeout: 30_000 })
      .toMatch(/On the public record at entry 3, witnessed by 3 of 3/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('receipt-download').click()]);
    const file = path.join(dir, 'receipt.json');
    await download.saveAs(file);
    const policyFile = path.join(dir, 'policy.txt');
    fs.writeFileSync(policyFile, policyText(witnesses, 2));
    const checked = await runParley(['verify-receipt', file, '--log-key', logKey, '--witness-policy', policyFile]);
    expect(checked.stdout).toMatch(/receipt verified: on the public record of parley\.test\/transparency at entry 3 .*witnessed by 3 of 3/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'parley-receipt-page.png'), fullPage: true });

    // The operator's second view: same database rewritten at rest, re-signed, same origin and port.
    await honest.stop();
    await forkAtRest(dir, 4);
    const fork = await serve(dir, port, witnesses);
    await page.goto(`${fork.url}/transparency`);
    await expect.poll(() => page.getByTestId('fork-alarm').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await status(page).textContent()).toMatch(/not consistent with checkpoint 10 verified earlier/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'parley-fork-alarm.png'), fullPage: true });
    // The browser kept the honest checkpoint: reloading still alarms.
    await page.reload();
    await expect.poll(() => page.getByTestId('fork-alarm').isVisible(), { timeout: 30_000 }).toBe(true);
    await context.close();
  }, 240_000);

  it('lists a witness alarm in the admin console (zh-Hant)', async () => {
    const broken = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    const a = broken.address();
    stops.push(() => new Promise<void>((r) => broken.close(() => r())));
    const key = formatVerifierKey('ngo.test/witness', COSIGNATURE_ALG, randomBytes(32));
    const server = await startServer({ WITNESSES: JSON.stringify([{ name: 'ngo', key, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` }]) });
    stops.push(() => server.stop());
    const context = await signedInContext(browser, server, 'admin@example.test', ['admin'], { locale: 'zh-TW' });
    const page = await context.newPage();
    await page.goto('/admin');
    const row = page.getByTestId('alarm-row').first();
    await expect.poll(() => row.getAttribute('data-reason'), { timeout: 30_000 }).toBe('server_error');
    expect(await row.textContent()).toMatch(/ngo · 見證者錯誤/);
    expect(await page.getByTestId('witness-row').first().getAttribute('data-alarms')).not.toBe('0');
    await page.getByTestId('witness-alarms').screenshot({ path: path.join(os.tmpdir(), 'parley-admin-alarms.png') });
    await context.close();
  }, 120_000);
});
