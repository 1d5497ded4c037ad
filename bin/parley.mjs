#!/usr/bin/env node
// Parley command-line launcher. Each subcommand maps to a TypeScript entry run through tsx;
// add new ones to COMMANDS. The entry receives the subcommand and its arguments.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** subcommand -> { entry: path from the package root, help: one line } */
const COMMANDS = {
  'create-admin': {
    entry: 'server/accounts/cli.ts',
    help: 'create-admin --email E [--name N]               create an instance admin (password asked, or PARLEY_ADMIN_PASSWORD)',
  },
  'grant-role': {
    entry: 'server/accounts/cli.ts',
    help: 'grant-role --role admin --email E [--email E2]   make the first admin(s) while there is none (later roles: admin console, two admins)',
  },
  verify: {
    entry: 'server/transparency/cli.ts',
    help: "verify <base-url> [--state file] [--sample N]   audit an instance's transparency log",
  },
  backup: {
    entry: 'server/backup/cli.ts',
    help: 'backup <file>                                   consistent online backup of the SQLite database and DATA_DIR (pg_dump guidance for PostgreSQL)',
  },
  restore: {
    entry: 'server/backup/cli.ts',
    help: 'restore <file> --published STATE [--data DIR]   restore into an empty DATA_DIR; refuses a log inconsistent with the published checkpoint',
  },
  'verify-receipt': {
    entry: 'server/transparency/cli.ts',
    help: 'verify-receipt <receipt.json> [--log-key VKEY] [--witness-policy F]  check a removal receipt offline',
  },
  witness: {
    entry: 'server/transparency/cli.ts',
    help: 'witness --name N --data DIR --log VKEY [--port P]  run a witness that cosigns logs it follows (C2SP tlog-witness)',
  },
};

function usage(stream) {
  stream.write('usage: parley <command> [args]\n\ncommands:\n');
  for (const c of Object.values(COMMANDS)) stream.write(`  ${c.help}\n`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
  usage(process.stdout);
  process.exit(cmd === undefined ? 2 : 0);
}
const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
if (!command) {
  process.stderr.write(`unknown command: ${cmd}\n`);
  usage(process.stderr);
  process.exit(2);
}
// Resolve tsx from this package, so the launcher works from any working directory.
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, path.join(root, command.entry), cmd, ...args], {
  stdio: 'inherit',
});
if (result.error) {
  process.stderr.write(`could not start ${command.entry}: ${result.error.message}\n`);
  process.exit(2);
}
process.exit(result.status ?? 1);
