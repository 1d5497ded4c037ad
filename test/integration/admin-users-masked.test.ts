/**
 * Adversary A2 (one admin): the account list is for acting on accounts, not for learning who
 * has one. GET /api/admin/users shows each email masked (`a***@example.org`), never in full,
 * and the full address is in no field of the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskEmail } from '../../protocol/accounts.js';
import { signUp, startServer, type TestServer } from '../helpers/app.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('GET /api/admin/users', () => {
  it("shows an admin every account with its email masked, and no account's full email anywhere in the answer", async () => {
    const admin = await signUp(server, { email: 'root@example.org' });
    await server.services.accounts.setRoles(admin.user.id, ['admin']);
    const emails = ['alice.dissident@example.org', 'b@mail.example.net', 'zhang.wei@example.cn'];
    for (const email of emails) await signUp(server, { email });

    const res = await server.app.inject({ url: '/api/admin/users', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    for (const email of [...emails, 'root@example.org']) expect(res.body).not.toContain(email);
    const users = res.json<{ users: { emailMasked: string; email?: string }[] }>().users;
    expect(users.map((u) => u.emailMasked).sort()).toEqual(['a***@example.org', 'b***@mail.example.net', 'r***@example.org', 'z***@example.cn']);
    expect(users.every((u) => u.email === undefined)).toBe(true);
  });

  it('masks everything of the local part but its first character', () => {
    expect(maskEmail('alice@example.org')).toBe('a***@example.org');
    expect(maskEmail('a@b.c')).toBe('a***@b.c');
    expect(maskEmail('名字@example.cn')).toBe('名***@example.cn');
  });
});
