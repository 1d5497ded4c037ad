/**
 * Test harness: a real Parley server (as test/helpers/app.ts builds it) with the policy engine,
 * the real transparency log and the geo test map wired the way server/app.ts should wire them.
 * buildApp wires the engine (routes, port, sign-up guard); this passes its own engine and log
 * so tests can reach them and record media cuts.
 */
import { buildApp } from '../app.js';
import { createAccounts } from '../accounts/index.js';
import { testConfig } from '../config/index.js';
import { createMeetingStore } from '../meetings/index.js';
import { openMemoryStorage, openStorage } from '../storage/index.js';
import { createTransparencyLog, type TransparencyLog } from '../transparency/index.js';
import { createNullMedia } from '../../test/helpers/null-media.js';
import { WsClient, type TestServer } from '../../test/helpers/app.js';
import { createPolicy } from './create.js';
import type { PolicyEngine } from './engine.js';

export interface PolicyTestServer extends TestServer {
  policy: PolicyEngine;
  log: TransparencyLog;
  /** Every media removeParticipant call, with its time (performance.now()). */
  mediaRemovals: { participantId: string; at: number }[];
}

export async function startPolicyServer(
  opts: { geoTestMap?: string; config?: Record<string, string>; /** A SQLite file instead of memory (restart tests). */ sqlitePath?: string } = {},
): Promise<PolicyTestServer> {
  const storage = opts.sqlitePath ? await openStorage({ sqlitePath: opts.sqlitePath }) : await openMemoryStorage();
  const geoMap = opts.geoTestMap ?? '127.0.0.2=CN,127.0.0.3=HK,127.0.0.4=US,127.0.0.5=MO,127.0.0.6=TW,127.0.0.1=US';
  const config = testConfig({ COOKIE_SECURE: 'false', GEO_TEST_MAP: geoMap, ...opts.config });
  const log = await createTransparencyLog({
    db: storage.db,
    dialect: storage.dialect,
    sqlite: storage.sqlite,
    origin: 'parley.test/transparency',
    checkpointIntervalMs: 0,
  });
  const policy = await createPolicy({ db: storage.db, log, meetings: createMeetingStore(storage.db), accounts: createAccounts(storage.db), expiryCheckMs: 0 });
  const mediaRemovals: { participantId: string; at: number }[] = [];
  const built = await buildApp({
    config,
    storage,
    policy,
    log,
    createMedia: (c) => {
      const m = createNullMedia(c);
      const remove = m.removeParticipant.bind(m);
      m.removeParticipant = (id) => {
        mediaRemovals.push({ participantId: id, at: performance.now() });
        remove(id);
      };
      return m;
    },
  });
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app: built.app,
    services: built.services,
    policy,
    log,
    mediaRemovals,
    url: address,
    wsUrl: address.replace(/^http/, 'ws') + '/ws',
    async close() {
      policy.close();
      await built.app.close();
      await log.close();
      await storage.close();
    },
  };
}

/** A signaling client whose socket comes from `localAddress` (so the server locates it there). */
export function openFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return WsClient.open(url, headers, true, localAddress);
}

/** Every entry on the log, parsed. */
export async function logEntries(log: TransparencyLog): Promise<{ type: string; [k: string]: unknown }[]> {
  const out: { type: string; [k: string]: unknown }[] = [];
  for (let i = 0; i < log.size(); i += 1000) {
    for (const e of await log.getEntries(i, i + 999)) out.push(JSON.parse(e.entry) as { type: string });
  }
  return out;
}

/** Sign up over HTTP (from `from`, default 127.0.0.1) and give the account instance roles. */
export async function operator(server: PolicyTestServer, roles: ('admin' | 'compliance' | 'approver' | 'auditor')[], from = '127.0.0.1') {
  const email = `op-${Math.random().toString(36).slice(2)}@example.org`;
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    remoteAddress: from,
    payload: { email, password: 'correct horse battery', displayName: roles.join('+') || 'user' },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.body}`);
  const id = res.json<{ user: { id: string } }>().user.id;
  if (roles.length > 0) await server.services.accounts.setRoles(id, roles);
  const cookie = `parley_session=${res.cookies.find((c) => c.name === 'parley_session')?.value}`;
  return { id, email, cookie };
}

/** A multipart/form-data body for app.inject. */
export function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; bytes: Uint8Array }) {
  const boundary = `----parley${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`),
    );
    chunks.push(Buffer.from(file.bytes));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A demand body (JSON) with sensible defaults: CN police, targeting `meetings`. */
export function demandBody(meetings: string[], overrides: Record<string, unknown> = {}) {
  return {
    authority: 'Beijing Municipal Public Security Bureau',
    jurisdiction: 'CN',
    legalBasis: 'Cybersecurity Law art. 12',
    reference: `BJ-${Math.random().toString(36).slice(2, 8)}`,
    receivedAt: '2020-06-01',
    askedText: 'Terminate the meetings and close the accounts of the organisers.',
    asks: [{ kind: 'end-meeting' }, { kind: 'close-account' }, { kind: 'block-participants' }],
    targets: { meetings, accounts: [] },
    ...overrides,
  };
}

/** Record a demand with its document in one multipart request; returns its id. */
export async function recordDemand(server: PolicyTestServer, cookie: string, body: Record<string, unknown>): Promise<number> {
  const mp = multipart({ demand: JSON.stringify(body) }, { name: 'document', filename: 'order.pdf', type: 'application/pdf', bytes: PDF });
  const res = await server.app.inject({ method: 'POST', url: '/api/demands', headers: { cookie, ...mp.headers }, payload: mp.payload });
  if (res.statusCode !== 201) throw new Error(`record failed: ${res.statusCode} ${res.body}`);
  return res.json<{ demand: { id: number } }>().demand.id;
}
