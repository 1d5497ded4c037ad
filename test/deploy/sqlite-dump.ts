/** A SQLite database as SQL text and back (the upgrade fixture is kept as reviewable SQL). */
import SQLite from 'better-sqlite3';

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  return `'${String(v).replaceAll("'", "''")}'`;
}

/** Schema and rows of every table, in creation order, as one SQL script. */
export function dumpSqlite(file: string): string {
  const db = new SQLite(file, { readonly: true });
  try {
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all() as {
      type: string;
      name: string;
      sql: string;
    }[];
    const out = ['PRAGMA foreign_keys = OFF;', 'BEGIN;'];
    for (const o of objects.filter((x) => x.type === 'table')) {
      out.push(`${o.sql};`);
      for (const row of db.prepare(`SELECT * FROM "${o.name}"`).raw().all() as unknown[][])
        out.push(`INSERT INTO "${o.name}" VALUES (${row.map(literal).join(', ')});`);
    }
    for (const o of objects.filter((x) => x.type !== 'table')) out.push(`${o.sql};`);
    out.push('COMMIT;');
    return `${out.join('\n')}\n`;
  } finally {
    db.close();
  }
}

/** Build `file` from a dump. */
export function loadSqlite(sql: string, file: string): void {
  const db = new SQLite(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
