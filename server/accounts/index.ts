export { createAccounts, INSTANCE_ROLES, SESSION_TTL_MS, toUser } from './accounts.js';
export type { Accounts, AccountType, InstanceRole, SignupGuard, SignupInput, User } from './accounts.js';
export { accountRoutes, publicUser } from './routes.js';
export { hashPassword, verifyPassword } from './password.js';
