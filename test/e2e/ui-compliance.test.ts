/**
 * The compliance console, end to end in a real browser and only through its UI: a
 * `compliance` user records a demand (with its document) that asks for far more than Parley
 * will ever do (end the meeting, close the host's accounts), cannot approve it themself, and
 * a second person, the `approver`, reads the impact preview and approves. Then only the
 * participant located in CN is removed, told by which authority; the HK participant and the
 * host stay (invariants 1, 2 and 5). Locations come from GEO_TEST_MAP via X-Forwarded-For
 * from a trusted loopback proxy (see helpers/people.ts).
 *
 * Screenshots of the console (list, new-demand form, impact preview) at 1280×800 in en and
 * zh-Hant go to /tmp/shots/compliance-*.png (SHOTS_DIR overrides) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, startServer, type RunningServer } from './helpers/browser.js';
import { GEO, geoServerEnv, hostMeeting, joinMeeting, placedContext, signedInContext } from './helpers/people.js';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots';
const AUTHORITY = 'Test Authority';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

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

function track(c: BrowserContext): BrowserContext {
  contexts.push(c);
  return c;
}

/** Switch the console's language the way the language picker does (stored choice), reload. */
async function setLanguage(page: Page, lang: 'en' | 'zh-Hant'): Promise<void> {
  await page.evaluate((l) => localStorage.setItem('parley.lang', l), lang);
  await page.reload();
  await page.locator('html[lang]').waitFor();
  await page.getByTestId('demand-list').waitFor();
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `compliance-${name}.png`), fullPage });
}

/** Select the demand in the list and wait for its detail. */
async function openDemand(page: Page, id: number): Promise<void> {
  await page.locator(`[data-testid="demand-item"][data-demand-id="${id}"] button`).click();
  await page.locator(`[data-testid="demand-detail"][data-demand-id="${id}"]`).waitFor();
}

async function showPreview(page: Page): Promise<void> {
  await page.getByTestId('load-preview').click();
  await page.getByTestId('preview-summary').waitFor();
}

describe('compliance console', () => {
  it('records a demand with its document, needs a second person to approve, and removes only the CN participant', async () => {
    // ---- a live meeting with a host, a participant in CN and one in HK ----
    const { context: hostCtx, host, meetingId } = await hostMeeting(browser, server, '六四紀念');
    track(hostCtx);
    const cn = await joinMeeting(track(await placedContext(browser, server, GEO.CN)), meetingId, 'In Beijing');
    const hk = await joinMeeting(track(await placedContext(browser, server, GEO.HK, 'zh-HK')), meetingId, 'In Hong Kong');
    await cn.getByTestId('meeting-room').waitFor();
    await hk.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText(), { timeout: 10_000 }).toBe('3 participants');

    // ---- the compliance user records the demand in the console ----
    const complianceCtx = track(await signedInContext(browser, server, 'compliance@example.org', ['compliance']));
    const officer = await complianceCtx.newPage();
    await officer.goto('/compliance');
    const form = officer.getByTestId('demand-form');
    await form.waitFor();
    await officer.getByTestId('demand-list').waitFor({ state: 'attached' });
    await shot(officer, 'list-empty-en');

    await form.locator('[name="authority"]').fill(AUTHORITY);
    await form.locator('[name="jurisdiction"]').selectOption('CN');
    await form.locator('[name="legalBasis"]').fill('Article 1 of the Test Law');
    await form.locator('[name="reference"]').fill('TA-2020-0604');
    await form.locator('[name="receivedAt"]').fill('2020-06-04');
    await form.locator('[name="askedText"]').fill(`End meeting ${meetingId} and close the host accounts.`);
    // block-participants is ticked by default; add what Parley must never do
    expect(await form.getByTestId('ask-block-participants').isChecked()).toBe(true);
    await form.getByTestId('ask-end-meeting').check();
    await form.getByTestId('ask-close-account').check();
    await form.locator('[name="meetings"]').fill(meetingId);
    await form.locator('[name="document"]').setInputFiles({ name: 'order.pdf', mimeType: 'application/pdf', buffer: PDF });
    await shot(officer, 'form-en', true);
    await form.getByTestId('record-demand').click();

    const message = officer.getByTestId('compliance-message');
    await message.waitFor();
    const recorded = /^Demand (\d+) recorded\.$/.exec(await message.innerText());
    expect(recorded, await message.innerText()).not.toBeNull();
    const demandId = Number(recorded?.[1]);
    const item = officer.locator(`[data-testid="demand-item"][data-demand-id="${demandId}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-state')).toBe('recorded');
    expect(await item.innerText()).toBe(`#${demandId} CN · ${AUTHORITY} · Awaiting approval`);
    // the form is cleared after recording, so a second click does not record it twice
    expect(await form.locator('[name="authority"]').inputValue()).toBe('');

    await openDemand(officer, demandId);
    const detail = officer.getByTestId('demand-detail');
    expect(await detail.getByTestId('demand-detail-state').getAttribute('data-state')).toBe('recorded');
    const ask = (kind: string) => detail.locator(`[data-testid="demand-ask"][data-kind="${kind}"]`);
    expect(await ask('end-meeting').innerText()).toMatch(/^End meeting: Not performed — \S/);
    expect(await ask('close-account').innerText()).toMatch(/^Close account: Not performed — \S/);
    expect(await ask('end-meeting').getAttribute('data-performed')).toBe('false');
    expect(await ask('close-account').getAttribute('data-performed')).toBe('false');
    expect(await ask('block-participants').getAttribute('data-performed')).toBe('true');
    expect(await detail.innerText()).toContain('order.pdf');
    // the person who recorded it cannot approve it: there is no approve (or reject) button
    expect(await detail.getByTestId('approve-demand').count()).toBe(0);
    expect(await detail.getByTestId('reject-demand').count()).toBe(0);
    // ...and the server refuses it even if asked directly from that session
    const self = await officer.request.post(`/api/demands/${demandId}/approve`, { data: {} });
    expect(self.status()).toBe(403);
    await shot(officer, 'list-en');

    await setLanguage(officer, 'zh-Hant');
    await shot(officer, 'form-zh-Hant', true);
    await openDemand(officer, demandId);
    await shot(officer, 'list-zh-Hant');
    await setLanguage(officer, 'en');

    // ---- the approver, another person, reads the impact and approves ----
    const approverCtx = track(await signedInContext(browser, server, 'approver@example.org', ['approver']));
    const approver = await approverCtx.newPage();
    await approver.goto('/compliance');
    await approver.getByTestId('demand-list').waitFor();
    expect(await approver.getByTestId('demand-form').count()).toBe(0);

    await setLanguage(approver, 'zh-Hant');
    await openDemand(approver, demandId);
    await showPreview(approver);
    await approver.getByTestId('preview-table').scrollIntoViewIfNeeded();
    await shot(approver, 'preview-zh-Hant');
    await setLanguage(approver, 'en');

    await openDemand(approver, demandId);
    await showPreview(approver);
    expect(await approver.getByTestId('preview-summary').innerText()).toBe(
      '1 participant(s) located in CN would be removed. 0 participants outside CN affected.',
    );
    const row = approver.locator(`[data-testid="preview-row"][data-meeting-id="${meetingId}"]`);
    expect((await row.locator('td').allInnerTexts()).slice(1)).toEqual(['1', '2', 'Remove']);
    await approver.getByTestId('preview-table').scrollIntoViewIfNeeded();
    await shot(approver, 'preview-en');

    await approver.getByTestId('approve-demand').click();
    const confirm = approver.getByTestId('decision-dialog');
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain(`demand ${demandId}`);
    await shot(approver, 'approve-dialog-en');
    await confirm.getByTestId('confirm-ok').click();

    // ---- only the CN participant is removed, and told by whom ----
    await cn.getByTestId('removed-notice').waitFor({ timeout: 10_000 });
    expect(await cn.getByTestId('removed-notice-text').innerText()).toBe(
      `You were removed because of a legal demand from ${AUTHORITY} (CN) that applies to your location.`,
    );
    await expect.poll(() => host.getByTestId('participant-count').innerText(), { timeout: 10_000 }).toBe('2 participants');
    expect(await hk.getByTestId('removed-notice').count()).toBe(0);
    await expect.poll(() => hk.getByTestId('participant-count').innerText(), { timeout: 10_000 }).toBe('2 位與會者');
    // the HK participant is still in the room and their roster lists them and the host
    expect(await hk.getByTestId('meeting-room').count()).toBe(1);
    await hk.getByTestId('toggle-roster').click();
    await hk.getByTestId('roster-list').waitFor();
    await expect
      .poll(async () => (await hk.getByTestId('roster-name').allInnerTexts()).sort(), { timeout: 10_000 })
      .toEqual(['Host', 'In Hong Kong（你）'].sort());

    // ---- the console shows the demand in force and what it did ----
    const state = approver.getByTestId('demand-detail-state');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 10_000 }).toBe('approved');
    expect(await state.innerText()).toBe('In force');
    await expect.poll(() => approver.locator(`[data-testid="demand-item"][data-demand-id="${demandId}"]`).getAttribute('data-state')).toBe('approved');
    expect(await approver.getByTestId('demand-detail').innerText()).toContain(`${meetingId}: 1 removed`);
    await officer.reload();
    await expect.poll(() => officer.locator(`[data-testid="demand-item"][data-demand-id="${demandId}"]`).getAttribute('data-state')).toBe('approved');
  });

  it('tells a person holding both roles that a demand they recorded needs another approver, and offers no approve button', async () => {
    const ctx = track(await signedInContext(browser, server, 'both-roles@example.org', ['compliance', 'approver']));
    const created = await ctx.request.post('/api/meetings', { data: { title: 'Vigil' } });
    expect(created.ok()).toBe(true);
    const meetingId = ((await created.json()) as { meeting: { id: string } }).meeting.id;
    const page = await ctx.newPage();
    await page.goto('/compliance');
    const form = page.getByTestId('demand-form');
    await form.waitFor();
    await form.locator('[name="authority"]').fill(AUTHORITY);
    await form.locator('[name="jurisdiction"]').selectOption('CN');
    await form.locator('[name="legalBasis"]').fill('Article 2 of the Test Law');
    await form.locator('[name="reference"]').fill('TA-2020-0605');
    await form.locator('[name="receivedAt"]').fill('2020-06-05');
    await form.locator('[name="askedText"]').fill(`Block meeting ${meetingId}.`);
    await form.locator('[name="meetings"]').fill(meetingId);
    await form.locator('[name="document"]').setInputFiles({ name: 'order.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.getByTestId('record-demand').click();
    const message = page.getByTestId('compliance-message');
    await message.waitFor();
    const demandId = Number(/^Demand (\d+) recorded\.$/.exec(await message.innerText())?.[1]);
    expect(demandId).toBeGreaterThan(0);

    await openDemand(page, demandId);
    const detail = page.getByTestId('demand-detail');
    expect(await detail.getByTestId('second-person-needed').innerText()).toBe('You recorded this demand, so another approver must decide on it.');
    expect(await detail.getByTestId('approve-demand').count()).toBe(0);
    expect(await detail.getByTestId('reject-demand').count()).toBe(0);
    // The approver role does not let them around it through the API either.
    const self = await page.request.post(`/api/demands/${demandId}/approve`, { data: {} });
    expect(self.status()).toBe(403);
    expect(((await self.json()) as { error: { code: string } }).error.code).toBe('SELF_APPROVAL');
    await shot(page, 'own-demand-en');
    expect(await detail.getByTestId('demand-detail-state').getAttribute('data-state')).toBe('recorded');
  });

  it('shows an instance restriction and a role grant waiting for a second admin, the way it shows demands; another admin approves them there', async () => {
    const aCtx = track(await signedInContext(browser, server, 'admin-a@example.org', ['admin']));
    const bCtx = track(await signedInContext(browser, server, 'admin-b@example.org', ['admin']));
    const grantee = track(await signedInContext(browser, server, 'grantee@example.org', []));
    const granteeId = ((await (await grantee.request.get('/api/auth/me')).json()) as { user: { id: string } }).user.id;
    expect((await aCtx.request.put('/api/admin/restrictions', { data: { mode: 'block', countries: ['MO'], unknown: 'allow' } })).status()).toBe(202);
    expect((await aCtx.request.put(`/api/admin/users/${granteeId}/roles`, { data: { roles: ['auditor'] } })).status()).toBe(202);
    // The requester sees both waiting, with no way to approve them.
    const a = await aCtx.newPage();
    await a.goto('/admin');
    await a.getByTestId('pending-approvals').waitFor();
    await expect.poll(() => a.getByTestId('pending-row').count()).toBe(2);
    expect(await a.getByTestId('awaiting-second').count()).toBe(2);
    expect(await a.getByTestId('approve-command').count()).toBe(0);
    // Another admin approves each in the console.
    const b = await bCtx.newPage();
    await b.goto('/admin');
    await expect.poll(() => b.getByTestId('pending-row').count()).toBe(2);
    await shot(b, 'pending-approvals-en');
    await b.locator('[data-testid="pending-row"][data-kind="restriction.instance"]').getByTestId('approve-command').click();
    await expect.poll(() => b.getByTestId('pending-row').count()).toBe(1);
    await b.locator('[data-testid="pending-row"][data-kind="role.change"]').getByTestId('approve-command').click();
    await b.getByTestId('pending-none').waitFor();
    const restriction = (await (await bCtx.request.get('/api/admin/restrictions')).json()) as { restriction: { countries: string[] } };
    expect(restriction.restriction.countries).toEqual(['MO']);
    expect(((await (await grantee.request.get('/api/auth/me')).json()) as { user: { roles: string[] } }).user.roles).toEqual(['auditor']);
  });
});
