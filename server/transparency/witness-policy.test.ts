import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COSIGNATURE_ALG, formatVerifierKey } from './cosignature.js';
import { parseWitnessPolicy, satisfiesQuorum, type WitnessPolicy } from './witness-policy.js';

const vkey = (name: string, alg = COSIGNATURE_ALG): string => {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return formatVerifierKey(name, alg, new Uint8Array(spki.subarray(spki.length - 32)));
};

function policy(text: string): WitnessPolicy {
  const p = parseWitnessPolicy(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

describe('witness policy', () => {
  it('needs k of n in a group, and nested groups combine', () => {
    const p = policy(`witness a ${vkey('a.example/w')}\nwitness b ${vkey('b.example/w')}\nwitness c ${vkey('c.example/w')}\ngroup g 2 a b c\nquorum g\n`);
    expect(satisfiesQuorum(p, new Set(['a']))).toBe(false);
    expect(satisfiesQuorum(p, new Set(['a', 'c']))).toBe(true);
    const nested = policy(
      `witness a ${vkey('a.x/w')}\nwitness b ${vkey('b.x/w')}\nwitness c ${vkey('c.x/w')} # NGO\ngroup eu any a b\ngroup all-of all eu c\nquorum all-of\n`,
    );
    expect(satisfiesQuorum(nested, new Set(['a', 'b']))).toBe(false);
    expect(satisfiesQuorum(nested, new Set(['b', 'c']))).toBe(true);
  });

  it('refuses malformed policies with the line at fault', () => {
    expect(parseWitnessPolicy(`witness a ${vkey('a.x/w', 0x01)}\nquorum a`)).toMatch(/line 1: .*0x04/);
    expect(parseWitnessPolicy(`witness a ${vkey('a.x/w')}\ngroup g 2 a\nquorum g`)).toMatch(/line 2: group needs a threshold/);
    expect(parseWitnessPolicy(`witness a ${vkey('a.x/w')}\ngroup g 1 b\nquorum g`)).toMatch(/line 2: b is not defined/);
    expect(parseWitnessPolicy(`witness a ${vkey('a.x/w')}\n`)).toMatch(/no quorum/);
    expect(parseWitnessPolicy('frobnicate x\nquorum x')).toMatch(/line 1: unknown keyword/);
  });
});
