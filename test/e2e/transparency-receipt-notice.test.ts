/**
 * Issue 13, item 4 in the browser (Debian Chromium): a participant removed under a legal demand
 * is shown their receipt on the removal notice — their entry's inclusion proof against the
 * cosigned checkpoint, checked in their browser, "on the public record at entry N, witnessed by
 * 3 of 3" — and can save it for `npx parley verify-receipt`; the host's notice links to the
 * record; a later refused join gets its own receipt. Three witnesses follow the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIRequestContext, Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, type RunningServer } from './helpers/browser.js';
import { GEO, geoServerEnv, hostMeeting, joinMeeting, placedContext, signedInContext } from './helpers/people.js';
import { runParley, startParley } from '../integration/transparency-harness.js';
import { ORIGIN, policyText, seedLog, startLocalWitness, witnessesEnv, type LocalWitness } from '../integration/witness-harness.js';

let browser: Browser;
let server: RunningServer;
let dir: string;
let logKey: string;
let witnesses: LocalWitness[];
const contexts: BrowserContext[] = [];
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-receipt-ui-'));
  logKey = await seedLog(dir, 1);
  witnesses = await Promise.all(['w1', 'w2', 'w3'].map((w) => startLocalWitness(dir, `${w}.test/witness`, logKey)));
  for (const w of witnesses) stops.push(() => w.stop());
  const proc = await startParley(dir, { ...geoServerEnv(), LOG_ORIGIN: ORIGIN, WITNESSES: witnessesEnv(witnesses) });
  stops.push(() => proc.stop());
  // The helpers read url and dataDir; the rest of the shape is the harness's process.
  server = { ...proc, dataDir: dir, wsUrl: `${proc.url.replace(/^http/, 'ws')}/ws` };
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser.close();
  for (const s of stops.splice(0).reverse()) await s();
});

async function account(email: string, roles: string[]): Promise<APIRequestContext> {
  const c = await signedInContext(browser, server, email, roles);
  contexts.push(c);
  return c.request;
}

async function enforce(compliance: APIRequestContext, approver: APIRequestContext, meetingId: string): Promise<number> {
  const recorded = await compliance.post('/api/demands', {
    data: {
      authority: 'Test Authority',
      jurisdiction: 'CN',
      legalBasis: 'Test basis',
      reference: `REF-${Date.now()}`,
      receivedAt: Date.now(),
      askedText: 'Remove the participants located in our territory from this meeting.',
      asks: [{ kind: 'block-participants' }],
      targets: { meetings: [meetingId] },
    },
  });
  expect(recorded.ok(), await recorded.text()).toBe(true);
  const { demand } = (await recorded.json()) as { demand: { id: number } };
  const attached = await compliance.post(`/api/demands/${demand.id}/document`, {
    multipart: { document: { name: 'order.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%test order\n') } },
  });
  expect(attached.ok(), await attached.text()).toBe(true);
  const approved = await approver.post(`/api/demands/${demand.id}/approve`, { data: {} });
  expect(approved.ok(), await approved.text()).toBe(true);
  return demand.id;
}

describe('a removed participant’s receipt', () => {
  it('is on the notice, checked in their browser (witnessed by 3 of 3), saved for verify-receipt; the host links to the record', async () => {
    const compliance = await account('compliance@example.org', ['compliance']);
    const approver = await account('approver@example.org', ['approver']);
    const { context: hostContext, host, meetingId } = await hostMeeting(browser, server, '六四紀念');
    contexts.push(hostContext);
    const cnContext = await placedContext(browser, server, GEO.CN);
    contexts.push(cnContext);
    const cn = await joinMeeting(cnContext, meetingId, 'In Beijing');
    await cn.getByTestId('meeting-room').waitFor();

    await enforce(compliance, approver, meetingId);
    await cn.getByTestId('removed-notice').waitFor();
    const status = cn.getByTestId('receipt-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/^On the public record at entry \d+, witnessed by 3 of 3\./);
    const index = Number(/entry (\d+)/.exec((await status.textContent()) ?? '')?.[1]);
    await cn.screenshot({ path: path.join(os.tmpdir(), 'parley-removed-receipt.png'), fullPage: true });

    const [download] = await Promise.all([cn.waitForEvent('download'), cn.getByTestId('receipt-download').click()]);
    const file = path.join(dir, 'receipt.json');
    await download.saveAs(file);
    const policy = path.join(dir, 'policy.txt');
    fs.writeFileSync(policy, policyText(witnesses, 2));
    const checked = await runParley(['verify-receipt', file, '--log-key', logKey, '--witness-policy', policy]);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toMatch(
      new RegExp(`on the public record of parley\\.test/transparency at entry ${index} \\(enforcement\\.removed\\).*witnessed by 3 of 3`),
    );

    // The host's notice links to the record (the notice.sent entry right after the removal).
    const link = host.getByTestId('host-notice-receipt');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/transparency?entry=${index + 1}`);

    // A later join from CN is refused, with its own receipt.
    const again = await joinMeeting(cnContext, meetingId, 'In Beijing again');
    await again.getByTestId('removed-notice').waitFor();
    await expect.poll(() => again.getByTestId('receipt-status').textContent(), { timeout: 60_000 }).toMatch(/witnessed by 3 of 3/);
    const refusedAt = Number(/entry (\d+)/.exec((await again.getByTestId('receipt-status').textContent()) ?? '')?.[1]);
    expect(refusedAt).toBeGreaterThan(index);
  }, 240_000);
});
