/**
 * Roles from the server's shell (`npx parley create-admin`, `grant-role`). The shell may only
 * bootstrap: make the instance's first admin(s) while no account holds `admin`. Every other
 * role change is a second-person command in the console (docs/powers.md), so a lone admin with
 * a shell on the host cannot use the CLI to make a second person. Each bootstrap grant is
 * logged (`role.changed`, trigger `cli`, pseudonymised) before it takes effect.
 */
import { AppError } from '../../protocol/errors.js';
import type { LogEntry } from '../../protocol/transparency.js';
import type { Accounts, InstanceRole, User } from './accounts.js';

/** The pseudonym scope policy/ uses for operators (server/policy/context.ts): one admin, one pseudonym in every entry. */
const OPERATOR_SCOPE = 'operators';

/** The part of the transparency log the bootstrap writes to. */
export interface BootstrapLog {
  append(entry: LogEntry): Promise<unknown>;
  pseudonym(kind: 'operator', id: string, scope: string): string;
}

/** Why the shell may not change roles now: null when it may (no admin yet, only `admin` granted). */
export async function bootstrapRefusal(accounts: Pick<Accounts, 'listUsers'>, roles: readonly InstanceRole[]): Promise<string | null> {
  const admins = (await accounts.listUsers()).filter((u) => u.roles.includes('admin'));
  if (admins.length > 0)
    return 'this instance has an admin: roles change only in the admin console (PUT /api/admin/users/:id/roles), approved by a second admin (docs/powers.md)';
  if (roles.some((r) => r !== 'admin'))
    return 'the command line only makes the first admin(s); other roles are granted in the admin console, approved by a second admin (docs/powers.md)';
  return null;
}

/** Log, then grant `admin` to each account (one `role.changed` per account, all appended before any grant). */
export async function bootstrapAdmins(
  accounts: Pick<Accounts, 'listUsers' | 'setRoles'>,
  log: BootstrapLog,
  users: readonly User[],
  now = Date.now,
): Promise<void> {
  const refusal = await bootstrapRefusal(accounts, ['admin']);
  if (refusal) throw new AppError('FORBIDDEN', refusal);
  for (const u of users) {
    await log.append({
      v: 1,
      type: 'role.changed',
      at: now(),
      account: log.pseudonym('operator', u.id, OPERATOR_SCOPE),
      granted: ['admin'],
      revoked: [],
      trigger: 'cli',
    });
  }
  for (const u of users) await accounts.setRoles(u.id, [...u.roles, 'admin']);
}
