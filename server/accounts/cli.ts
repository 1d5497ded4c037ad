/**
 * `npx parley create-admin --email E --name N` and `npx parley grant-role --email E [--email E2] --role admin`:
 * the instance's first admin(s), from the server's own shell (no HTTP path can create them).
 * Only while no account is admin, only `admin`, and logged first (bootstrap.ts); every later
 * role change is a second-person command in the admin console (docs/powers.md).
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/index.js';
import { openStorage } from '../storage/index.js';
import { configuredKeyStore, createTransparencyLog } from '../transparency/index.js';
import { createAccounts, INSTANCE_ROLES, type InstanceRole, type User } from './accounts.js';
import { bootstrapAdmins, bootstrapRefusal } from './bootstrap.js';

async function readPassword(): Promise<string> {
  const fromEnv = process.env['PARLEY_ADMIN_PASSWORD'];
  if (fromEnv) return fromEnv;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const pw = await rl.question('Password (8+ characters): ');
  rl.close();
  return pw;
}

function parseRoles(raw: readonly string[] | undefined): InstanceRole[] {
  const roles = (raw ?? []) as InstanceRole[];
  const bad = roles.filter((r) => !INSTANCE_ROLES.includes(r));
  if (roles.length === 0 || bad.length > 0) throw new Error(`--role must be one of ${INSTANCE_ROLES.join(', ')}`);
  return roles;
}

export async function runAccountsCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string', multiple: true }, name: { type: 'string' }, role: { type: 'string', multiple: true } },
  });
  const config = loadConfig();
  const storage = await openStorage({ databaseUrl: config.DATABASE_URL, sqlitePath: path.join(config.DATA_DIR, 'parley.db') });
  const accounts = createAccounts(storage.db);
  const openLog = () =>
    createTransparencyLog({
      db: storage.db,
      dialect: storage.dialect,
      sqlite: storage.sqlite,
      origin: config.LOG_ORIGIN ?? `${new URL(config.publicUrl).host}/transparency`,
      keys: configuredKeyStore({ keyDir: config.LOG_KEY_DIR, dataDir: config.DATA_DIR, cluster: Boolean(config.REDIS_URL), db: storage.db }),
      checkpointIntervalMs: 0,
    });
  try {
    const emails = values.email ?? [];
    if (emails.length === 0) throw new Error('--email is required');
    const roles = command === 'create-admin' ? (['admin'] as InstanceRole[]) : parseRoles(values.role);
    if (command !== 'create-admin' && command !== 'grant-role') throw new Error(`unknown command ${command ?? ''}`);
    const refusal = await bootstrapRefusal(accounts, roles);
    if (refusal) throw new Error(`refused: ${refusal}`);
    const users: User[] = [];
    if (command === 'create-admin') {
      if (emails.length > 1) throw new Error('create-admin makes one account; give others admin with grant-role in the same bootstrap');
      const password = await readPassword();
      if (password.length < 8) throw new Error('the password must have at least 8 characters');
      users.push(await accounts.signup({ email: emails[0]!, password, displayName: values.name ?? 'Admin', accountType: 'individual', country: null }));
    } else {
      for (const email of emails) {
        const user = await accounts.findByEmail(email);
        if (!user) throw new Error(`no account with email ${email}`);
        users.push(user);
      }
    }
    const log = await openLog();
    try {
      await bootstrapAdmins(accounts, log, users);
    } finally {
      await log.close();
    }
    for (const u of users) process.stdout.write(`${u.email} is now an admin (logged: role.changed). Sign in at ${config.publicUrl}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`parley ${command ?? ''}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAccountsCli(process.argv.slice(2)).then((code) => process.exit(code));
}
