/** HTTP helpers against a node: sign up, roles (straight in the shared database), demands. */
import { createAccounts } from '../../server/accounts/index.js';
import { openStorage, type Storage } from '../../server/storage/index.js';
import { demandBody, multipart, PDF } from '../../server/policy/test-helpers.js';

export { demandBody };

export async function http(
  url: string,
  method: string,
  pathName: string,
  opts: { cookie?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | Blob | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body) body = new Blob([new Uint8Array(opts.body)]);
  const res = await fetch(url + pathName, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

export async function signUpAt(url: string, name: string): Promise<{ id: string; cookie: string }> {
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}@example.org`;
  const res = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', displayName: name }),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('parley_session=')) ?? '').split(';')[0]!;
  const id = ((await res.json()) as { user: { id: string } }).user.id;
  return { id, cookie };
}

/** A direct connection to the cluster's database, for giving roles (as the admin CLI does). */
export async function withDb<T>(databaseUrl: string, fn: (s: Storage) => Promise<T>): Promise<T> {
  const s = await openStorage({ databaseUrl });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export async function operatorAt(url: string, databaseUrl: string, roles: ('admin' | 'compliance' | 'approver' | 'auditor')[]) {
  const u = await signUpAt(url, roles.join('-'));
  await withDb(databaseUrl, (s) => createAccounts(s.db).setRoles(u.id, roles));
  return u;
}

export async function createMeetingAt(url: string, cookie: string, title = 'Memorial'): Promise<string> {
  const r = await http(url, 'POST', '/api/meetings', { cookie, json: { title } });
  if (r.status !== 201) throw new Error(`create meeting failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.meeting.id as string;
}

export async function recordDemandAt(url: string, cookie: string, body: Record<string, unknown>): Promise<number> {
  const mp = multipart({ demand: JSON.stringify(body) }, { name: 'document', filename: 'order.pdf', type: 'application/pdf', bytes: PDF });
  const r = await http(url, 'POST', '/api/demands', { cookie, body: mp.payload, headers: mp.headers });
  if (r.status !== 201) throw new Error(`record failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.demand.id as number;
}

export async function approveAt(url: string, cookie: string, id: number) {
  const r = await http(url, 'POST', `/api/demands/${id}/approve`, { cookie, json: {} });
  if (r.status !== 200) throw new Error(`approve failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}
