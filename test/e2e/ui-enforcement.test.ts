/**
 * What people see when a legal demand is enforced (invariants 1, 2 and 5 in the browser):
 * the participant located in the demand's jurisdiction is told why and by whom (or only that
 * a legal restriction applies, under a gag); a participant elsewhere stays; the host gets a
 * persistent notice and the meeting carries on. Locations come from GEO_TEST_MAP; a browser
 * cannot pick its source address, so each context says where it is with X-Forwarded-For,
 * which the server believes only because loopback is configured as a trusted proxy. The
 * media path would re-locate them to 127.0.0.1 (loopback, unknown), so those pages get no
 * RTCPeerConnection: they stay where their signaling connection says they are.
 */
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, startServer, type RunningServer } from './helpers/browser.js';
import { GEO, geoServerEnv, hostMeeting as hostMeetingIn, joinMeeting, placedContext, signedInContext } from './helpers/people.js';

let server: RunningServer;
let browser: Browser;
let compliance: APIRequestContext;
let approver: APIRequestContext;
const contexts: BrowserContext[] = [];
const { CN, HK } = GEO;

async function account(email: string, roles: string[]): Promise<APIRequestContext> {
  const c = await signedInContext(browser, server, email, roles);
  contexts.push(c);
  return c.request;
}

beforeAll(async () => {
  ensureWebBuilt();
  server = await startServer(geoServerEnv());
  browser = await launchBrowser();
  compliance = await account('compliance@example.org', ['compliance']);
  approver = await account('approver@example.org', ['approver']);
}, 120_000);

const pages: BrowserContext[] = [];
afterEach(async () => {
  for (const c of pages.splice(0)) await c.close().catch(() => undefined);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** A participant placed at `from` (see helpers/people.ts) joins from the lobby. */
async function join(from: string, meetingId: string, name: string, locale = 'en-US'): Promise<Page> {
  const c = await placedContext(browser, server, from, locale);
  pages.push(c);
  return joinMeeting(c, meetingId, name);
}

async function hostMeeting(title: string): Promise<{ host: Page; meetingId: string }> {
  const { context, host, meetingId } = await hostMeetingIn(browser, server, title);
  pages.push(context);
  return { host, meetingId };
}

async function enforce(meetingId: string, authority: string, gag: boolean): Promise<number> {
  const recorded = await compliance.post('/api/demands', {
    data: {
      authority,
      jurisdiction: 'CN',
      legalBasis: 'Test basis',
      reference: `REF-${Date.now()}`,
      receivedAt: Date.now(),
      askedText: 'Remove the participants located in our territory from this meeting.',
      asks: [{ kind: 'block-participants' }],
      targets: { meetings: [meetingId] },
      ...(gag ? { gag: { until: Date.now() + 86_400_000 } } : {}), // a gag must end (issue 11)
    },
  });
  expect(recorded.ok(), await recorded.text()).toBe(true);
  const { demand } = (await recorded.json()) as { demand: { id: number } };
  // approval needs the authority's document on file
  const attached = await compliance.post(`/api/demands/${demand.id}/document`, {
    multipart: { document: { name: 'order.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%test order\n') } },
  });
  expect(attached.ok(), await attached.text()).toBe(true);
  const approved = await approver.post(`/api/demands/${demand.id}/approve`, { data: {} });
  expect(approved.ok(), await approved.text()).toBe(true);
  return demand.id;
}

describe('enforcement as people see it', () => {
  it('tells the CN participant which authority removed them, keeps the HK one, and tells the host', async () => {
    const { host, meetingId } = await hostMeeting('六四紀念');
    const cn = await join(CN, meetingId, 'In Beijing');
    const hk = await join(HK, meetingId, 'In Hong Kong', 'zh-HK');
    await cn.getByTestId('meeting-room').waitFor();
    await hk.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText()).toBe('3 participants');

    const demandId = await enforce(meetingId, 'Test Authority', false);

    await cn.getByTestId('removed-notice').waitFor();
    expect(await cn.getByTestId('removed-notice-text').innerText()).toBe(
      'You were removed because of a legal demand from Test Authority (CN) that applies to your location.',
    );
    const notice = host.getByTestId('host-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toBe(`1 participant located in CN was removed under demand #${demandId} (Test Authority). The meeting carries on.`);
    await expect.poll(() => host.getByTestId('participant-count').innerText()).toBe('2 participants');
    // HK is a separate jurisdiction: that participant is untouched and sees the roster shrink
    expect(await hk.getByTestId('removed-notice').count()).toBe(0);
    await expect.poll(() => hk.getByTestId('participant-count').innerText()).toBe('2 位與會者');
    // the notice stays while the meeting goes on
    await host.waitForTimeout(1000);
    expect(await host.getByTestId('host-notice').count()).toBe(1);
  });

  it('refuses a later join from CN with the same notice, in the participant’s language', async () => {
    const { meetingId } = await hostMeeting('Refusal');
    await enforce(meetingId, 'Test Authority', false);
    const cn = await join(CN, meetingId, '北京', 'zh-CN');
    await cn.getByTestId('removed-notice').waitFor();
    expect(await cn.getByTestId('removed-notice-text').innerText()).toContain('Test Authority（CN）');
  });

  it('under a gag, says only that a legal restriction applies', async () => {
    const { host, meetingId } = await hostMeeting('Gagged');
    const cn = await join(CN, meetingId, 'Gagged guest');
    await cn.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText()).toBe('2 participants');
    await enforce(meetingId, 'Secret Authority', true);
    await cn.getByTestId('removed-notice').waitFor();
    const text = await cn.getByTestId('removed-notice-text').innerText();
    expect(text).toBe('You were removed because of a legal restriction that applies to your location.');
    expect(text).not.toContain('Secret Authority');
  });
});
