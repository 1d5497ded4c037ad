import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64, toHex } from './bytes.js';
import { sha256 } from './sha256.js';

describe('browser-safe byte helpers', () => {
  it('pure SHA-256 equals node:crypto for any split of any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, cut) => {
        const c = data.length === 0 ? 0 : cut % data.length;
        const expected = createHash('sha256').update(data).digest('hex');
        expect(toHex(sha256(data))).toBe(expected);
        expect(toHex(sha256(data.subarray(0, c), data.subarray(c)))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('base64 and hex match Buffer and round-trip; non-canonical base64 is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        const b64 = Buffer.from(data).toString('base64');
        expect(toBase64(data)).toBe(b64);
        expect(fromBase64(b64)).toEqual(data);
        expect(toHex(data)).toBe(Buffer.from(data).toString('hex'));
        expect(fromHex(toHex(data))).toEqual(data);
      }),
    );
    expect(fromBase64('QQ=')).toBeNull();
    expect(fromBase64('QR==')).toBeNull();
    expect(fromBase64('Q!==')).toBeNull();
  });
});

describe('browser-safe modules', () => {
  it('import nothing from node: (the web page bundles them)', async () => {
    const fs = await import('node:fs');
    const files = [
      'bytes.ts',
      'sha256.ts',
      'hasher.ts',
      'merkle.ts',
      'merkle-verify.ts',
      'note.ts',
      'verifier.ts',
      'report.ts',
      '../../protocol/transparency.ts',
    ];
    for (const f of files) {
      const text = fs.readFileSync(new URL(f, import.meta.url), 'utf8');
      expect(text, f).not.toMatch(/from '(node:|fs|crypto|path)/);
      expect(text, f).not.toMatch(/\bBuffer\./);
    }
  });
});
