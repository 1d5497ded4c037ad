/** Who is asking: session cookie → user. Every route calls one of these first. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../protocol/errors.js';
import type { InstanceRole, User } from '../accounts/index.js';

export const SESSION_COOKIE = 'parley_session';
export const DEVICE_COOKIE = 'parley_device';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    sessionToken: string | null;
  }
}

/** The signed-in user, or UNAUTHENTICATED. Suspended accounts are refused. */
export function requireUser(req: FastifyRequest): User {
  if (!req.user) throw new AppError('UNAUTHENTICATED');
  if (req.user.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED');
  return req.user;
}

/** The signed-in user holding `role`, or UNAUTHENTICATED / FORBIDDEN. */
export function requireRole(req: FastifyRequest, ...roles: InstanceRole[]): User {
  const user = requireUser(req);
  if (!roles.some((r) => user.roles.includes(r))) throw new AppError('FORBIDDEN');
  return user;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: number, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'lax',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
}
