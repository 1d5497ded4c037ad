import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { createLocator } from './locator.js';
import { buildLogger, embeddedDatabases, WELL_KNOWN } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-geo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dbs = embeddedDatabases();

describe('Locator.reload', () => {
  it('swaps to another valid database while lookups keep answering, none failing', async () => {
    const locator = createLocator({ logger: buildLogger() });
    const seen = new Set<string>();
    let lookups = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const ip of [...Object.values(WELL_KNOWN), '2001:4860:4860::8888', '10.0.0.1']) {
          const loc = locator.locate(ip);
          expect(loc).toBeDefined();
          expect(loc.database).toBeDefined();
          if (ip === WELL_KNOWN.TW) expect(loc.country).toBe('TW');
          seen.add(loc.database.name);
          lookups++;
        }
        await new Promise((r) => setImmediate(r)); // yield so the reload's I/O can interleave
      }
    })();
    const info = await locator.reload(dbs.ipv4);
    await new Promise((r) => setTimeout(r, 20));
    running = false;
    await loop;
    expect(info).toMatchObject({ name: 'country ipv4', ipVersion: 4, path: dbs.ipv4 });
    expect(locator.info().name).toBe('country ipv4');
    expect(seen).toEqual(new Set(['country ipvAll', 'country ipv4']));
    expect(lookups).toBeGreaterThan(0);
    expect(locator.locate(WELL_KNOWN.MO).database.name).toBe('country ipv4');
  });

  it('rejects a corrupt file with GEO_DB_INVALID and keeps answering from the old database', async () => {
    const logger = buildLogger();
    const locator = createLocator({ logger });
    const garbage = join(dir, 'garbage.mmdb');
    writeFileSync(garbage, Buffer.from('this is not a maxmind database at all'.repeat(100)));
    await expect(locator.reload(garbage)).rejects.toMatchObject({ code: 'GEO_DB_INVALID' });
    expect(locator.info().path).toBe(dbs.all);
    expect(locator.locate(WELL_KNOWN.HK)).toMatchObject({ country: 'HK', database: { name: 'country ipvAll' } });
    expect(logger.warn).toHaveBeenCalled();
  });

  it('rejects a truncated database, a gzip file and a missing file', async () => {
    const locator = createLocator({ logger: buildLogger() });
    const whole = readFileSync(dbs.ipv4);
    const truncated = join(dir, 'truncated.mmdb');
    writeFileSync(truncated, Buffer.concat([whole.subarray(0, 1000), whole.subarray(whole.length - 4000)]));
    const gz = join(dir, 'gz.mmdb');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    for (const p of [truncated, gz, join(dir, 'missing.mmdb')]) {
      await expect(locator.reload(p), p).rejects.toMatchObject({ code: 'GEO_DB_INVALID' });
    }
    expect(locator.locate(WELL_KNOWN.CN).country).toBe('CN');
  });

  it('re-reads the current path when called without one and tells onReload listeners', async () => {
    const logger = buildLogger();
    const locator = createLocator({ dbPath: dbs.ipv4, logger });
    const before = locator.info();
    const cb = vi.fn();
    const failing = vi.fn(() => {
      throw new Error('listener bug');
    });
    const off = locator.onReload(failing);
    locator.onReload(cb);
    const after = await locator.reload();
    expect(after.path).toBe(before.path);
    expect(cb).toHaveBeenCalledWith(after, before);
    expect(logger.error).toHaveBeenCalled(); // the failing listener was caught and logged
    off();
    await locator.reload();
    expect(failing).toHaveBeenCalledTimes(1);
    expect(cb).toHaveBeenCalledTimes(2);
  });

  it('does not notify listeners when a reload fails', async () => {
    const locator = createLocator({ logger: buildLogger() });
    const cb = vi.fn();
    locator.onReload(cb);
    await expect(locator.reload(join(dir, 'nope.mmdb'))).rejects.toThrow();
    expect(cb).not.toHaveBeenCalled();
  });
});
