/**
 * `npx parley create-admin --email E --name N` and `npx parley grant-role --email E --role R`:
 * instance set-up from the server's own shell (no HTTP path can create the first admin).
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/index.js';
import { openStorage } from '../storage/index.js';
import { createAccounts, INSTANCE_ROLES, type InstanceRole } from './accounts.js';

async function readPassword(): Promise<string> {
  const fromEnv = process.env['PARLEY_ADMIN_PASSWORD'];
  if (fromEnv) return fromEnv;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const pw = await rl.question('Password (8+ characters): ');
  rl.close();
  return pw;
}

export async function runAccountsCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', multiple: true } },
  });
  const config = loadConfig();
  const storage = await openStorage({ databaseUrl: config.DATABASE_URL, sqlitePath: path.join(config.DATA_DIR, 'parley.db') });
  const accounts = createAccounts(storage.db);
  try {
    if (!values.email) throw new Error('--email is required');
    if (command === 'create-admin') {
      const password = await readPassword();
      if (password.length < 8) throw new Error('the password must have at least 8 characters');
      const user = await accounts.signup({
        email: values.email,
        password,
        displayName: values.name ?? 'Admin',
        accountType: 'individual',
        country: null,
        roles: ['admin'],
      });
      process.stdout.write(`Created admin ${user.email}. Sign in at ${config.publicUrl}\n`);
      return 0;
    }
    if (command === 'grant-role') {
      const roles = (values.role ?? []) as InstanceRole[];
      const bad = roles.filter((r) => !INSTANCE_ROLES.includes(r));
      if (roles.length === 0 || bad.length > 0) throw new Error(`--role must be one of ${INSTANCE_ROLES.join(', ')}`);
      const user = await accounts.findByEmail(values.email);
      if (!user) throw new Error(`no account with email ${values.email}`);
      const updated = await accounts.setRoles(user.id, [...user.roles, ...roles]);
      process.stdout.write(`${updated.email} now has roles: ${updated.roles.join(', ')}\n`);
      return 0;
    }
    throw new Error(`unknown command ${command ?? ''}`);
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
