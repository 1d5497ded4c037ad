import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting, signUp, startServer, type TestServer } from '../helpers/app.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});
const code = (res: { json(): unknown }) => (res.json() as { error?: { code: string } }).error?.code;

describe('accounts', () => {
  it('signs up, signs in with an HTTP-only cookie, reads me, signs out', async () => {
    const { email, cookie } = await signUp(server, { password: 'a long password' });
    const me = await server.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'a long password' } });
    expect(login.statusCode).toBe(200);
    const set = login.cookies.find((c) => c.name === 'parley_session');
    expect(set?.httpOnly).toBe(true);
    await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    const after = await server.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(code(after)).toBe('UNAUTHENTICATED');
  });

  it('stores the password as an scrypt hash, never in clear', async () => {
    const { email } = await signUp(server, { password: 'another long one' });
    const row = await server.services.storage.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    expect(row.password_hash).not.toContain('another long one');
  });

  it('refuses a wrong password, a taken email and malformed bodies with stable codes', async () => {
    const { email } = await signUp(server);
    const wrong = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'nope nope nope' } });
    expect([wrong.statusCode, code(wrong)]).toEqual([401, 'INVALID_CREDENTIALS']);
    const unknown = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'who@example.org', password: 'nope nope nope' } });
    expect(code(unknown)).toBe('INVALID_CREDENTIALS');
    const dup = await server.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: 'whatever123', displayName: 'X' } });
    expect([dup.statusCode, code(dup)]).toEqual([409, 'EMAIL_TAKEN']);
    const bad = await server.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: 'not-an-email', password: 'x', displayName: '' } });
    expect([bad.statusCode, code(bad)]).toEqual([400, 'VALIDATION_FAILED']);
    const notJson = await server.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{oops' });
    expect(notJson.statusCode).toBe(400);
    expect(code(notJson)).toBeDefined();
    const huge = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a', password: 'x'.repeat(300_000) } });
    expect([huge.statusCode, code(huge)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('keeps admin routes for admins: anonymous and ordinary users are refused', async () => {
    const anon = await server.app.inject({ url: '/api/admin/users' });
    expect([anon.statusCode, code(anon)]).toEqual([401, 'UNAUTHENTICATED']);
    const { cookie, user } = await signUp(server);
    const plain = await server.app.inject({ url: '/api/admin/users', headers: { cookie } });
    expect([plain.statusCode, code(plain)]).toEqual([403, 'FORBIDDEN']);
    const selfPromote = await server.app.inject({
      method: 'PUT',
      url: `/api/admin/users/${user.id}/roles`,
      headers: { cookie },
      payload: { roles: ['admin'] },
    });
    expect(code(selfPromote)).toBe('FORBIDDEN');
    await server.services.accounts.setRoles(user.id, ['admin']);
    const ok = await server.app.inject({ url: '/api/admin/users', headers: { cookie } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('meetings over REST', () => {
  it('lets only the host change or end a meeting', async () => {
    const host = await signUp(server);
    const other = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '246810', waitingRoom: true });
    const anon = await server.app.inject({ method: 'PATCH', url: `/api/meetings/${m.id}`, payload: { title: 'x' } });
    expect(code(anon)).toBe('UNAUTHENTICATED');
    const notHost = await server.app.inject({ method: 'PATCH', url: `/api/meetings/${m.id}`, headers: { cookie: other.cookie }, payload: { title: 'x' } });
    expect([notHost.statusCode, code(notHost)]).toEqual([403, 'NOT_HOST']);
    const end = await server.app.inject({ method: 'POST', url: `/api/meetings/${m.id}/end`, headers: { cookie: other.cookie } });
    expect(code(end)).toBe('NOT_HOST');
    const live = await server.app.inject({ url: `/api/meetings/${m.id}/live`, headers: { cookie: other.cookie } });
    expect(code(live)).toBe('NOT_HOST');
    const ok = await server.app.inject({ method: 'PATCH', url: `/api/meetings/${m.id}`, headers: { cookie: host.cookie }, payload: { title: 'Vigil' } });
    expect(ok.json<{ meeting: { title: string } }>().meeting.title).toBe('Vigil');
  });

  it('shows public info without the passcode, and 404s unknown ids with MEETING_NOT_FOUND', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '246810' });
    const pub = await server.app.inject({ url: `/api/meetings/${m.id}/public` });
    expect(pub.json()).toMatchObject({ meetingId: m.id, hasPasscode: true, ended: false });
    expect(pub.body).not.toContain('246810');
    const missing = await server.app.inject({ url: '/api/meetings/nosuchmeeting/public' });
    expect([missing.statusCode, code(missing)]).toEqual([404, 'MEETING_NOT_FOUND']);
    const unknownRoute = await server.app.inject({ url: '/api/nothing-here' });
    expect([unknownRoute.statusCode, code(unknownRoute)]).toEqual([404, 'NOT_FOUND']);
  });

  it("lists only the signed-in host's own meetings", async () => {
    const a = await signUp(server);
    const b = await signUp(server);
    await createMeeting(server, a.cookie, { title: 'A meeting' });
    await createMeeting(server, b.cookie, { title: 'B meeting' });
    const list = await server.app.inject({ url: '/api/meetings', headers: { cookie: a.cookie } });
    const titles = list.json<{ meetings: { title: string }[] }>().meetings.map((m) => m.title);
    expect(titles).toEqual(['A meeting']);
  });
});
