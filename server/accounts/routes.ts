import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskEmail, type AdminUserView } from '../../protocol/accounts.js';
import { AppError } from '../../protocol/errors.js';
import { clearSessionCookie, createFailureLimiter, requireRole, requireUser, setSessionCookie, SESSION_COOKIE } from '../http/index.js';
import type { Accounts, User } from './accounts.js';

const Signup = z
  .object({
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- trim runs before the format check; z.email() would check first
    email: z.string().trim().email().max(254),
    password: z.string().min(8).max(256),
    displayName: z.string().trim().min(1).max(64),
    accountType: z.enum(['individual', 'business']).default('individual'),
  })
  .strict();
const Login = z.object({ email: z.string().trim().max(254), password: z.string().max(256) }).strict();

export function publicUser(u: User) {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    roles: u.roles,
    accountType: u.accountType,
    status: u.status,
    businessVerified: u.businessVerified,
  };
}

/** An account as the admin list shows it: the email masked (protocol/accounts.ts). */
export function adminUserView(u: User): AdminUserView {
  return {
    id: u.id,
    emailMasked: maskEmail(u.email),
    displayName: u.displayName,
    roles: u.roles,
    accountType: u.accountType,
    status: u.status,
    businessVerified: u.businessVerified,
  };
}

export interface AccountRouteDeps {
  accounts: Accounts;
  cookieSecure: boolean;
  locate: (req: FastifyRequest) => { country: string | null };
}

export function accountRoutes(app: FastifyInstance, deps: AccountRouteDeps): void {
  const { accounts } = deps;
  app.post('/api/auth/signup', { config: { rateLimit: 'auth' } }, async (req, reply) => {
    const body = Signup.parse(req.body);
    const { country } = deps.locate(req);
    const user = await accounts.signup({ ...body, country });
    const s = await accounts.createSession(user.id);
    setSessionCookie(reply, s.token, s.expiresAt, deps.cookieSecure);
    return reply.code(201).send({ user: publicUser(user) });
  });

  // Per account, from any number of addresses (the per-address limit is the 'auth' rateLimit):
  // 5 wrong passwords, then 5 s, 10 s, … up to 15 min. Unknown emails count the same way, so the
  // answer says nothing about which emails have accounts. Per node (see docs/security.md).
  const accountMisses = createFailureLimiter({ free: 5, baseMs: 5000, maxMs: 15 * 60_000, forgetMs: 15 * 60_000 });
  app.post('/api/auth/login', { config: { rateLimit: 'auth' } }, async (req, reply) => {
    const body = Login.parse(req.body);
    const account = body.email.toLowerCase();
    const wait = accountMisses.retryAfterMs(account);
    if (wait > 0)
      throw new AppError('RATE_LIMITED', 'Too many wrong passwords for this account; wait before trying again.', { retryAfterSec: Math.ceil(wait / 1000) });
    const user = await accounts.authenticate(body.email, body.password).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') accountMisses.fail(account);
      throw err;
    });
    accountMisses.reset(account);
    const s = await accounts.createSession(user.id);
    setSessionCookie(reply, s.token, s.expiresAt, deps.cookieSecure);
    return { user: publicUser(user) };
  });

  app.post('/api/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await accounts.endSession(token);
    clearSessionCookie(reply, deps.cookieSecure);
    return { ok: true };
  });

  app.get('/api/auth/me', async (req) => ({ user: publicUser(requireUser(req)) }));

  app.get('/api/admin/users', async (req) => {
    requireRole(req, 'admin');
    // Masked: acting on an account needs its id, not its email; there is no full-email lookup.
    return { users: (await accounts.listUsers()).map(adminUserView) };
  });
  // PUT /api/admin/users/:id/roles is a second-person command: server/policy/routes.ts (docs/powers.md).
}
