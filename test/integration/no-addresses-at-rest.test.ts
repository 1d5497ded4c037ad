/**
 * A3: IP addresses are never persisted. Sign-ups, joins that are allowed, a join refused by a
 * country restriction (which writes a log entry) and a host removal come from distinct
 * addresses; afterwards neither the SQLite file nor its WAL holds any of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { testConfig } from '../../server/config/index.js';
import { openStorage } from '../../server/storage/index.js';
import { createMeeting, signUp, WsClient } from '../helpers/app.js';
import { createNullMedia } from '../helpers/null-media.js';

const ADDRESSES = { CN: '127.0.0.2', HK: '127.0.0.3', US: '127.0.0.4' };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function found(file: string, needle: string): string[] {
  const hits: string[] = [];
  for (const f of [file, `${file}-wal`]) {
    if (!fs.existsSync(f)) continue;
    const bytes = fs.readFileSync(f);
    for (const enc of ['utf8', 'utf16le'] as const) if (bytes.includes(Buffer.from(needle, enc))) hits.push(`${path.basename(f)} (${enc})`);
  }
  return hits;
}

describe('addresses at rest', () => {
  it('keeps no client IP address in the database file or its WAL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-addr-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'parley.db');
    const storage = await openStorage({ sqlitePath: file });
    const config = testConfig({ COOKIE_SECURE: 'false', GEO_TEST_MAP: `${ADDRESSES.CN}=CN,${ADDRESSES.HK}=HK,${ADDRESSES.US}=US` });
    const built = await buildApp({ config, storage, createMedia: createNullMedia });
    const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
    const server = { app: built.app, services: built.services, url, wsUrl: url.replace(/^http/, 'ws') + '/ws', close: () => Promise.resolve() };
    cleanup.push(async () => {
      await built.app.close();
      await storage.close();
    });

    const host = await signUp(server);
    const signup = await built.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      remoteAddress: ADDRESSES.HK,
      payload: { email: 'ann@example.org', password: 'correct horse battery', displayName: 'Ann' },
    });
    expect(signup.statusCode).toBe(201);
    const m = await createMeeting(server, host.cookie);
    const block = await built.app.inject({
      method: 'PUT',
      url: `/api/meetings/${m.id}/restrictions`,
      headers: { cookie: host.cookie },
      payload: { mode: 'block', countries: ['CN'], unknown: 'allow' },
    });
    expect(block.statusCode).toBe(200);
    const h = await WsClient.open(server.wsUrl, { cookie: host.cookie }, true, ADDRESSES.US);
    cleanup.push(() => h.close());
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const hk = await WsClient.open(server.wsUrl, {}, true, ADDRESSES.HK);
    cleanup.push(() => hk.close());
    const hkJoin = await hk.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Chan' });
    const cn = await WsClient.open(server.wsUrl, {}, true, ADDRESSES.CN);
    cleanup.push(() => cn.close());
    const refused = await cn.send('join', { meetingId: m.id, displayName: 'Li' });
    expect(refused.ok ? null : refused.error.code).toBe('LOCATION_RESTRICTED');
    await h.request('host.remove', { participantId: hkJoin.participantId });
    await h.request('host.end');

    for (const address of Object.values(ADDRESSES)) {
      expect(found(file, address)).toEqual([]);
      expect(found(file, `::ffff:${address}`)).toEqual([]);
    }
  });
});
