/**
 * The same integration suites, on PostgreSQL: every storage a test opens with
 * openMemoryStorage() becomes a fresh PostgreSQL database (a copy of one migrated template),
 * and the SQLite test files are imported as they are. PostgreSQL is PARLEY_TEST_DATABASE_URL
 * or a private instance started by scripts/services.mjs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { services, TestDatabases, type PgHandle } from '../cluster/services.js';

const state = vi.hoisted(() => ({ dbs: null as TestDatabases | null, template: '', opened: 0 }));

type StorageModule = typeof import('../../server/storage/index.js'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- vi.mock needs the module's type, not a value

vi.mock('../../server/storage/index.js', async (importOriginal) => {
  const orig = await importOriginal<StorageModule>();
  return {
    ...orig,
    /** Here: a fresh PostgreSQL database per call, already migrated (copied from the template). */
    async openMemoryStorage() {
      if (!state.dbs) throw new Error('PostgreSQL is not up');
      state.opened++;
      return orig.openStorage({ databaseUrl: await state.dbs.create(state.template) });
    },
  };
});

let pgHandle: PgHandle | null = null;
beforeAll(async () => {
  pgHandle = await (await services()).ensurePostgres();
  if (!pgHandle) throw new Error('PostgreSQL could not be started (see the message above)');
  const dbs = new TestDatabases(pgHandle.url);
  const tplUrl = await dbs.create();
  const { openStorage } = await vi.importActual<StorageModule>('../../server/storage/index.js');
  const tpl = await openStorage({ databaseUrl: tplUrl });
  await tpl.close();
  state.template = dbs.nameOf(tplUrl);
  state.dbs = dbs;
}, 60_000);

afterAll(async () => {
  await state.dbs?.drop();
  pgHandle?.stop();
});

// Suites that exercise storage (accounts, meetings, bans, chat, policy, log); media-plane suites
// (real WebRTC) say nothing about the database and stay SQLite-only.
const here = path.dirname(fileURLToPath(import.meta.url));
const suites = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.test.ts') && !f.startsWith('postgres-') && !f.startsWith('media-'))
  .sort();

for (const file of suites) {
  describe(`${file} on PostgreSQL`, async () => {
    await import(/* @vite-ignore */ `./${file.replace(/\.ts$/, '.js')}`);
  });
}

it('ran those suites on PostgreSQL databases', () => {
  expect(suites.length).toBeGreaterThan(0);
  expect(state.opened).toBeGreaterThan(suites.length);
});
