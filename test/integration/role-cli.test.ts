/**
 * Adversary A2 with a shell on the server's machine: the role CLI (`bin/parley.mjs grant-role`,
 * `create-admin`) may only bootstrap the first admin, and logs it; a lone admin cannot use it
 * to make themselves (or a sock puppet) a second person. Real server process, real CLI process,
 * the public log over HTTP.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
}, 90_000);
afterAll(async () => {
  await server.stop();
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['bin/parley.mjs', ...args], {
      env: { ...process.env, DATA_DIR: server.dataDir, PUBLIC_URL: server.url, LOG_LEVEL: 'silent', PARLEY_ADMIN_PASSWORD: 'correct horse battery' },
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function signup(email: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', displayName: email.split('@')[0] }),
  });
  expect(res.status).toBe(201);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

const rolesOf = async (cookie: string): Promise<string[]> =>
  ((await (await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).json()) as { user?: { roles: string[] } }).user?.roles ?? [
    `no user for ${cookie}`,
  ];

/** Every public log entry of `type`, read through the public API. */
async function publicEntries(type: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${server.url}/transparency/v1/get-entries?start=0&end=999`);
  const { entries } = (await res.json()) as { entries: { leaf_input: string }[] };
  return entries.map((e) => JSON.parse(Buffer.from(e.leaf_input, 'base64').toString('utf8')) as Record<string, unknown>).filter((e) => e['type'] === type);
}

describe('role CLI', () => {
  it('bootstraps the first admin with a logged role.changed, then refuses the lone admin an approver role or a sock-puppet admin', async () => {
    const lone = await signup('lone@example.org');
    const puppet = await signup('puppet@example.org');

    const first = await cli('grant-role', '--email', 'lone@example.org', '--role', 'admin');
    expect(first.code, first.out).toBe(0);
    expect(await rolesOf(lone)).toEqual(['admin']);

    const self = await cli('grant-role', '--email', 'lone@example.org', '--role', 'approver');
    expect(self.code).not.toBe(0);
    expect(self.out).toMatch(/refused/);
    const sock = await cli('grant-role', '--email', 'puppet@example.org', '--role', 'admin');
    expect(sock.code).not.toBe(0);
    const second = await cli('create-admin', '--email', 'second@example.org');
    expect(second.code).not.toBe(0);
    expect(await rolesOf(lone)).toEqual(['admin']);
    expect(await rolesOf(puppet)).toEqual([]);

    // Any append makes the server adopt the rows the CLI committed; then the public log shows them.
    const put = await fetch(`${server.url}/api/me/restrictions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: lone },
      body: JSON.stringify({ mode: 'block', countries: ['AQ'], unknown: 'allow' }),
    });
    expect(put.status).toBe(200);
    const changes = await publicEntries('role.changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ granted: ['admin'], revoked: [], trigger: 'cli' });
    expect(JSON.stringify(changes[0])).not.toContain('lone@example.org');
  }, 120_000);
});
