/** Receipts over HTTP from a real log, checked offline by the CLI's verify-receipt. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { runVerifyReceipt } from './cli.js';
import { buildEntry } from './factories.js';
import { buildTestApp, openTestLog, tempDir } from './test-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiptFor(index: number): Promise<{ file: string; key: string; body: Record<string, unknown>; otherKey: string }> {
  const t = await openTestLog();
  const other = await openTestLog();
  await t.log.appendMany(Array.from({ length: 9 }, (_, i) => buildEntry(i)));
  await t.log.publishNow();
  const app = await buildTestApp(t.log);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    await app.close();
    await t.close();
    await other.close();
  });
  const body = (await (await fetch(`${url}/transparency/v1/receipt?index=${index}`)).json()) as Record<string, unknown>;
  const file = path.join(tempDir(), 'receipt.json');
  fs.writeFileSync(file, JSON.stringify(body));
  expect((await fetch(`${url}/transparency/v1/receipt?index=9`)).status).toBe(404); // not in a checkpoint yet
  return { file, key: t.log.verifierKey, body, otherKey: other.log.verifierKey };
}

describe('parley verify-receipt', () => {
  it('verifies a receipt against the pinned log key, offline', async () => {
    const r = await receiptFor(4);
    expect(await runVerifyReceipt([r.file, '--log-key', r.key])).toEqual({
      code: 0,
      message: 'receipt verified: on the public record of parley.test/transparency at entry 4 (enforcement.no-action), tree size 9',
    });
    expect((await runVerifyReceipt([r.file])).message).toMatch(/taken from the receipt itself/);
  });

  it('refuses an altered entry, a moved index and another log', async () => {
    const r = await receiptFor(4);
    const write = (over: Record<string, unknown>): string => {
      const f = path.join(tempDir(), 'r.json');
      fs.writeFileSync(f, JSON.stringify({ ...r.body, ...over }));
      return f;
    };
    const altered = write({ entry: canonicalJson(buildEntry(5)) });
    expect((await runVerifyReceipt([altered, '--log-key', r.key])).message).toMatch(/entry 4 is not in the signed tree/);
    expect((await runVerifyReceipt([write({ index: 5 }), '--log-key', r.key])).code).toBe(1);
    expect((await runVerifyReceipt([r.file, '--log-key', r.otherKey])).message).toMatch(/no valid signature/);
  });
});
