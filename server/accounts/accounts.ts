/** Accounts, sessions and instance roles. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import type { Db } from '../storage/index.js';
import type { UsersTable } from '../storage/index.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';

export const INSTANCE_ROLES = ['admin', 'compliance', 'approver', 'auditor'] as const;
export type InstanceRole = (typeof INSTANCE_ROLES)[number];
export type AccountType = 'individual' | 'business';

export interface User {
  id: string;
  email: string;
  displayName: string;
  roles: InstanceRole[];
  accountType: AccountType;
  status: 'active' | 'suspended';
  businessVerified: boolean;
  signupCountry: string | null;
  createdAt: number;
}

/** Decides whether an account type may be created from a location (set by policy/). */
export type SignupGuard = (input: { country: string | null; accountType: AccountType }) => Promise<void>;

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as InstanceRole[],
    accountType: row.account_type,
    status: row.status,
    businessVerified: row.business_verified === 1,
    signupCountry: row.signup_country,
    createdAt: row.created_at,
  };
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SignupInput {
  email: string;
  password: string;
  displayName: string;
  accountType: AccountType;
  country: string | null;
  roles?: InstanceRole[];
}

export function createAccounts(db: Db, opts: { signupGuard?: SignupGuard } = {}) {
  let signupGuard = opts.signupGuard;

  async function getById(id: string): Promise<User | null> {
    const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  return {
    getById,
    setSignupGuard(guard: SignupGuard) {
      signupGuard = guard;
    },

    /** Create an account; the signup guard (account policy per jurisdiction) runs first. */
    async signup(input: SignupInput): Promise<User> {
      if (signupGuard) await signupGuard({ country: input.country, accountType: input.accountType });
      const email = input.email.trim().toLowerCase();
      const exists = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (exists) throw new AppError('EMAIL_TAKEN');
      const row: UsersTable = {
        id: randomUUID(),
        email,
        password_hash: await hashPassword(input.password),
        display_name: input.displayName,
        roles: JSON.stringify(input.roles ?? []),
        account_type: input.accountType,
        status: 'active',
        business_verified: 0,
        signup_country: input.country,
        created_at: Date.now(),
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (err) {
        if (/unique|duplicate/i.test(String(err))) throw new AppError('EMAIL_TAKEN');
        throw err;
      }
      return toUser(row);
    },

    /** Check credentials; same cost whether or not the email exists. */
    async authenticate(emailIn: string, password: string): Promise<User> {
      const email = emailIn.trim().toLowerCase();
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok) throw new AppError('INVALID_CREDENTIALS');
      if (row.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED');
      return toUser(row);
    },

    async createSession(userId: string): Promise<{ token: string; expiresAt: number }> {
      const token = randomBytes(32).toString('base64url');
      const now = Date.now();
      const expiresAt = now + SESSION_TTL_MS;
      await db
        .insertInto('sessions')
        .values({ id: tokenHash(token), user_id: userId, created_at: now, expires_at: expiresAt })
        .execute();
      return { token, expiresAt };
    },

    async userForSession(token: string): Promise<User | null> {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('users')
        .select('sessions.expires_at')
        .where('sessions.id', '=', tokenHash(token))
        .executeTakeFirst();
      if (!row || row.expires_at < Date.now()) return null;
      return toUser(row);
    },

    async endSession(token: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', tokenHash(token)).execute();
    },

    async setRoles(userId: string, roles: InstanceRole[]): Promise<User> {
      await db
        .updateTable('users')
        .set({ roles: JSON.stringify([...new Set(roles)]) })
        .where('id', '=', userId)
        .execute();
      const user = await getById(userId);
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      return user;
    },

    async findByEmail(email: string): Promise<User | null> {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async listUsers(): Promise<User[]> {
      const rows = await db.selectFrom('users').selectAll().orderBy('created_at').execute();
      return rows.map(toUser);
    },

    /** Set account status. Callers (admin routes) append the log entry first. */
    async setStatus(userId: string, status: 'active' | 'suspended'): Promise<void> {
      await db.updateTable('users').set({ status }).where('id', '=', userId).execute();
      if (status === 'suspended') await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },

    async setBusinessVerified(userId: string, verified: boolean): Promise<void> {
      await db
        .updateTable('users')
        .set({ business_verified: verified ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
