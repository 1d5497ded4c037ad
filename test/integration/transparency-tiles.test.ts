/**
 * The log as C2SP tlog-tiles, checked by Go's golang.org/x/mod/sumdb/note and .../tlog (Debian's
 * golang-go and golang-golang-x-mod-dev, installed by `npm test`): the checkpoint note and its
 * signature, every tile a proof needs against the signed root, every entry bundle, and the JSON
 * API's inclusion and consistency proofs. 70,000 entries: full and partial tiles at levels 0–2.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { nodeHasher } from '../../server/transparency/hash-node.js';
import { buildTestApp, openTestLog } from '../../server/transparency/test-helpers.js';
import { formatTileIndex, parseTilePath } from '../../server/transparency/tiles.js';
import { ROOT } from './transparency-harness.js';

const GOPATH = '/usr/share/gocode';
const SIZE = 70_000;
let t: Awaited<ReturnType<typeof openTestLog>>;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  t = await openTestLog();
  for (let i = 0; i < SIZE; i += 2000) await t.log.appendMany(Array.from({ length: Math.min(2000, SIZE - i) }, (_, k) => buildEntry(i + k)));
  await t.log.publishNow();
  app = await buildTestApp(t.log);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => {
  await app.close();
  await t.close();
});

const bytesOf = async (p: string): Promise<{ status: number; body: Buffer; cache: string | null }> => {
  const res = await fetch(`${url}/transparency/${p}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), cache: res.headers.get('cache-control') };
};

describe('tlog-tiles', () => {
  it('names tile indexes as the spec does and accepts one spelling only', () => {
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
    expect(formatTileIndex(5)).toBe('005');
    expect(parseTilePath('0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('entries/273.p/112')).toEqual({ level: 'entries', index: 273, width: 112 });
    for (const bad of ['0/5', '00/005', '0/x000/005', '64/000', '0/000.p/0', '0/000.p/256', '0/000.p/07', 'x/000']) expect(parseTilePath(bad), bad).toBeNull();
  });

  it('serves the 70,000-entry tree as the spec counts it, immutable, and no tile the tree does not hold', async () => {
    // 273 full level-0 tiles, a partial of 112, one full level-1 tile, a partial of 17, a level-2 partial of 1.
    const full0 = await bytesOf('tile/0/272');
    expect(full0.status).toBe(200);
    expect(full0.body.length).toBe(8192);
    expect(full0.cache).toMatch(/immutable/);
    expect(full0.body.subarray(0, 32)).toEqual(Buffer.from(nodeHasher.leaf(Buffer.from(canonicalJson(buildEntry(272 * 256))))));
    expect((await bytesOf('tile/0/273.p/112')).body.length).toBe(112 * 32);
    expect((await bytesOf('tile/0/273')).status).toBe(404);
    expect((await bytesOf('tile/0/273.p/113')).status).toBe(404);
    expect((await bytesOf('tile/1/000')).body.subarray(0, 32)).toEqual(Buffer.from(t.log.rootHash(256)));
    expect((await bytesOf('tile/1/001.p/17')).status).toBe(200);
    expect((await bytesOf('tile/2/000.p/1')).body).toEqual(Buffer.from(t.log.rootHash(65536)));
    const bundle = (await bytesOf('tile/entries/273.p/112')).body;
    const first = Buffer.from(canonicalJson(buildEntry(273 * 256)));
    expect(bundle.readUInt16BE(0)).toBe(first.length);
    expect(bundle.subarray(2, 2 + first.length)).toEqual(first);
    const notTile = await fetch(`${url}/transparency/tile/0/5`);
    expect(notTile.status).toBe(404);
  });

  it("agrees with Go's sumdb note and tlog on the checkpoint, tiles, bundles and API proofs", async () => {
    if (!fs.existsSync(path.join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog'))) {
      throw new Error('needs Debian golang-go and golang-golang-x-mod-dev: npm test installs them (or apt-get install golang-go golang-golang-x-mod-dev)');
    }
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'go',
        ['run', 'tlog-check.go', url, t.log.verifierKey, '97'],
        { cwd: path.join(ROOT, 'test/interop'), env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '' }, timeout: 240_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const [ok, size, entries, api] = out.trim().split(' ');
    expect(ok).toBe('ok');
    expect(Number(size)).toBe(SIZE);
    expect(Number(entries)).toBe(Math.ceil(SIZE / 97) + 1);
    expect(Number(api)).toBeGreaterThan(100);
  }, 300_000);
});
