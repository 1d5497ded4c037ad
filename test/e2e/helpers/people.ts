/**
 * People for real-browser e2e tests against a server from `startServer`: signed-in accounts
 * with operator roles (written into the server's database: the CLI only bootstraps the first
 * admin, see test/helpers/roles-at-rest.ts), a host with a live meeting, and participants placed in a country.
 *
 * Placement: a browser cannot pick its source address, so a context says where it is with
 * X-Forwarded-For, which the server believes only when loopback is a trusted proxy
 * (`TRUSTED_PROXIES: '127.0.0.1/32'`, `FORWARDED_HEADER: 'x-forwarded-for'`) and the address is in `GEO_TEST_MAP`. The media path
 * would re-locate a page to 127.0.0.1 (loopback, unknown), so placed pages get no
 * RTCPeerConnection: they stay where their signaling connection says they are.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { grantRolesAtRest } from '../../helpers/roles-at-rest.js';
import { newContext, type RunningServer } from './browser.js';

export const PASSWORD = 'correct horse battery';

/** Documentation addresses (RFC 5737) for GEO_TEST_MAP. */
export const GEO = { CN: '198.51.100.2', HK: '198.51.100.3' } as const;

/** The server env that makes GEO addresses mean their countries, behind a loopback proxy. */
export function geoServerEnv(): Record<string, string> {
  return { GEO_TEST_MAP: `${GEO.CN}=CN,${GEO.HK}=HK`, TRUSTED_PROXIES: '127.0.0.1/32', FORWARDED_HEADER: 'x-forwarded-for' };
}

/** Give an existing account operator roles (scene set-up, straight in the database). */
export function grantRoles(server: RunningServer, email: string, roles: readonly string[]): void {
  if (roles.length > 0) grantRolesAtRest(server.dataDir, email, roles);
}

/**
 * A new context signed in as a new account with `roles`. The roles are read per request, so
 * pages opened in this context after this returns act with them.
 */
export async function signedInContext(
  browser: Browser,
  server: RunningServer,
  email: string,
  roles: readonly string[] = [],
  opts: { locale?: string; displayName?: string } = {},
): Promise<BrowserContext> {
  const c = await newContext(browser, { baseURL: server.url, ...(opts.locale ? { locale: opts.locale } : {}) });
  const res = await c.request.post('/api/auth/signup', {
    data: { email, password: PASSWORD, displayName: opts.displayName ?? email.split('@')[0] },
  });
  if (!res.ok()) {
    await c.close();
    throw new Error(`signup ${email} failed: ${res.status()} ${await res.text()}`);
  }
  grantRoles(server, email, roles);
  return c;
}

/** Replace RTCPeerConnection so the page never opens a (loopback) media path. */
export async function disableMedia(c: BrowserContext): Promise<void> {
  await c.addInitScript(() => {
    // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a stand-in whose constructor throws
    window.RTCPeerConnection = class {
      constructor() {
        throw new Error('media disabled in this test');
      }
    } as unknown as typeof RTCPeerConnection;
  });
}

/** A context whose requests come "from" `address` (see GEO), with media disabled. */
export async function placedContext(browser: Browser, server: RunningServer, address: string, locale = 'en-US'): Promise<BrowserContext> {
  const c = await newContext(browser, { baseURL: server.url, locale });
  await c.setExtraHTTPHeaders({ 'x-forwarded-for': address });
  await disableMedia(c);
  return c;
}

/** Join a meeting from the lobby, as `name`, in a page of `c`; resolves after the click. */
export async function joinMeeting(c: BrowserContext, meetingId: string, name: string): Promise<Page> {
  const page = await c.newPage();
  await page.goto(`/m/${meetingId}`);
  if (name) await page.getByTestId('lobby-name').fill(name);
  await page.getByTestId('join-button').click();
  return page;
}

/** A new host account creates a meeting (REST) and joins it in a page; resolves in the room. */
export async function hostMeeting(browser: Browser, server: RunningServer, title: string): Promise<{ context: BrowserContext; host: Page; meetingId: string }> {
  const email = `host-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
  const context = await signedInContext(browser, server, email, [], { displayName: 'Host' });
  const created = await context.request.post('/api/meetings', { data: { title } });
  if (!created.ok()) throw new Error(`create meeting failed: ${created.status()} ${await created.text()}`);
  const { meeting } = (await created.json()) as { meeting: { id: string } };
  const host = await joinMeeting(context, meeting.id, '');
  await host.getByTestId('meeting-room').waitFor();
  return { context, host, meetingId: meeting.id };
}
