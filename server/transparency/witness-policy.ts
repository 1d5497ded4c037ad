/**
 * A verifier's witness policy (after Sigsum's policy files): named witnesses, groups with a
 * threshold, and the quorum a checkpoint's cosignatures must satisfy. Browser-safe.
 *
 *   witness <name> <cosignature/v1 verifier key>
 *   group <name> <k | all | any> <member> <member>…      (members: witnesses or earlier groups)
 *   quorum <name>                                          (a witness or a group)
 *
 * `#` starts a comment. Example, two of three: `group g 2 a b c` then `quorum g`.
 */
import { COSIGNATURE_ALG, parseVerifierKey, verifyCosignature, type VerifierKey } from './cosignature.js';
import type { NoteSignature } from './note.js';

type Node = { kind: 'witness'; key: VerifierKey } | { kind: 'group'; threshold: number; members: string[] };

export interface WitnessPolicy {
  witnesses: ReadonlyMap<string, VerifierKey>;
  nodes: ReadonlyMap<string, Node>;
  quorum: string;
}

/** Parse a policy file; a string says which line is wrong. */
export function parseWitnessPolicy(text: string): WitnessPolicy | string {
  const witnesses = new Map<string, VerifierKey>();
  const nodes = new Map<string, Node>();
  let quorum: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i]!.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const where = `line ${i + 1}`;
    const [kw, name] = words;
    if (!name) return `${where}: ${kw} needs a name`;
    if (kw !== 'quorum' && nodes.has(name)) return `${where}: ${name} is defined twice`;
    if (kw === 'witness') {
      const key = words.length === 3 ? parseVerifierKey(words[2]!) : null;
      if (!key || key.alg !== COSIGNATURE_ALG) return `${where}: witness needs a name and a cosignature/v1 verifier key (type 0x04)`;
      witnesses.set(name, key);
      nodes.set(name, { kind: 'witness', key });
    } else if (kw === 'group') {
      const members = words.slice(3);
      const t = words[2];
      const threshold = t === 'all' ? members.length : t === 'any' ? 1 : Number(t);
      if (members.length === 0 || !Number.isInteger(threshold) || threshold < 1 || threshold > members.length) {
        return `${where}: group needs a threshold between 1 and its number of members (or all/any), then the members`;
      }
      const unknown = members.find((m) => !nodes.has(m));
      if (unknown) return `${where}: ${unknown} is not defined above`;
      if (new Set(members).size !== members.length) return `${where}: a member is listed twice`;
      nodes.set(name, { kind: 'group', threshold, members });
    } else if (kw === 'quorum') {
      if (!nodes.has(name)) return `${where}: quorum names ${name}, which is not defined above`;
      quorum = name;
    } else {
      return `${where}: unknown keyword ${kw}`;
    }
  }
  if (quorum === null) return 'the policy has no quorum line';
  return { witnesses, nodes, quorum };
}

/** Names of the policy's witnesses whose cosignature on `body` verifies. */
export async function cosignersOf(
  policy: WitnessPolicy,
  body: string,
  signatures: readonly NoteSignature[],
  verifyEd25519: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const [name, key] of policy.witnesses) {
    if (await verifyCosignature(body, signatures, key, verifyEd25519)) out.add(name);
  }
  return out;
}

/** Whether the witnesses that cosigned satisfy the policy's quorum. */
export function satisfiesQuorum(policy: WitnessPolicy, cosigned: ReadonlySet<string>): boolean {
  const holds = (name: string): boolean => {
    const node = policy.nodes.get(name);
    if (!node) return false;
    if (node.kind === 'witness') return cosigned.has(name);
    return node.members.filter(holds).length >= node.threshold;
  };
  return holds(policy.quorum);
}
