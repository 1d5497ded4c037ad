import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PSEUDONYM_PREFIX, type PseudonymKind } from '../../protocol/transparency.js';
import { createPseudonymizer } from './pseudonym.js';

/** The definition: HMAC-SHA256(secret, len‖kind ‖ len‖scope ‖ len‖id), 80 bits, base32, prefix. */
function reference(secret: Uint8Array, kind: PseudonymKind, id: string, scope: string): string {
  const mac = createHmac('sha256', secret);
  for (const field of [kind, scope, id]) {
    const bytes = Buffer.from(field, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    mac.update(len).update(bytes);
  }
  const bytes = mac.digest().subarray(0, 10);
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)] ?? '';
  return `${PSEUDONYM_PREFIX[kind]}_${out}`;
}

const kinds = Object.keys(PSEUDONYM_PREFIX) as PseudonymKind[];

describe('pseudonyms', () => {
  it('are HMAC-SHA256 of the length-prefixed fields, for any secret length (incl. > one block) and any text', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 150 }),
        fc.constantFrom(...kinds),
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        (secret, kind, id, scope) => {
          expect(createPseudonymizer(secret)(kind, id, scope)).toBe(reference(secret, kind, id, scope));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('stay equal to the definition when one pseudonymizer serves many ids and scopes', () => {
    const secret = new Uint8Array(32).fill(9);
    const p = createPseudonymizer(secret);
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.string({ unit: 'grapheme' }), fc.constantFrom('1', '2', '17', '六四'), (kind, id, scope) => {
        expect(p(kind, id, scope)).toBe(reference(secret, kind, id, scope));
      }),
      { numRuns: 2000 },
    );
  });

  it('do not collide when text moves between fields', () => {
    const p = createPseudonymizer(new Uint8Array(32).fill(1));
    expect(p('participant', 'ab', 'c')).not.toBe(p('participant', 'a', 'bc'));
    expect(p('participant', 'x', '1')).toMatch(/^p_[a-z2-7]{16}$/);
  });
});
