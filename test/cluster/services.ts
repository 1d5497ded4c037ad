/**
 * Typed access to scripts/services.mjs (private PostgreSQL / Redis for tests) and fresh
 * databases: one `CREATE DATABASE … TEMPLATE` per storage, cloned from a migrated template.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

export interface PgHandle {
  url: string;
  stop(): void;
}
export interface RedisHandle {
  url: string;
  port: number;
  stop(): void;
  crash(): Promise<void>;
  restart(): Promise<void>;
}
interface ServicesModule {
  ensurePostgres(): Promise<PgHandle | null>;
  ensureRedis(): Promise<PgHandle | null>;
  startRedis(opts?: { port?: number }): Promise<RedisHandle>;
  startPostgres(opts?: { port?: number; dir?: string; keep?: boolean }): Promise<PgHandle & { port: number; dir: string }>;
  freePort(): Promise<number>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function services(): Promise<ServicesModule> {
  const href = pathToFileURL(path.join(root, 'scripts/services.mjs')).href;
  return (await import(href)) as ServicesModule;
}

/** `postgres://…/<db>` for another database on the same server. */
export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Run one statement as the admin (CREATE/DROP DATABASE cannot run in a transaction or pool). */
export async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Fresh, empty databases on one PostgreSQL server; drop() removes every one it made. */
export class TestDatabases {
  readonly #admin: string;
  readonly #made: string[] = [];
  constructor(adminUrl: string) {
    this.#admin = adminUrl;
  }

  /** A new database (optionally a copy of `template`), returning its URL. */
  async create(template?: string): Promise<string> {
    const name = `parley_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(this.#admin, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    this.#made.push(name);
    return withDatabase(this.#admin, name);
  }

  nameOf(url: string): string {
    return new URL(url).pathname.slice(1);
  }

  async drop(): Promise<void> {
    for (const name of this.#made.splice(0)) {
      await adminQuery(this.#admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    }
  }
}
