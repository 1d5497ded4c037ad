/**
 * `parley verify <base-url> [--state file] [--sample N]` — audit a Parley log from outside.
 * Exit 0 with "verified up to entry N"; 1 with a message naming the failing entry; 2 on usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeVerifyEd25519 } from './ed25519-node.js';
import { nodeHasher } from './hash-node.js';
import { verifyLog, type VerifierIo, type VerifierState } from './verifier.js';
import { verifyReceipt } from './receipt.js';
import { runWitness } from './witness-cli.js';
import { parseWitnessPolicy, type WitnessPolicy } from './witness-policy.js';

export { nodeVerifyEd25519 };

/** fetch-based JSON getter; HTTP errors carry the API's error code. */
export function httpFetchJson(baseUrl: string): (p: string) => Promise<unknown> {
  const root = baseUrl.replace(/\/+$/, '');
  return async (p) => {
    const res = await fetch(`${root}${p}`, { headers: { accept: 'application/json' } });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new Error(`${p.split('?')[0]} answered ${res.status}${err?.code ? ` ${err.code}: ${err.message ?? ''}` : ''}`);
    }
    return body;
  };
}

export interface CliResult {
  code: number;
  message: string;
}

const USAGE = 'usage: parley verify <base-url> [--state file] [--sample N] [--witness-policy file]';

interface VerifyArgs {
  url: string;
  stateFile: string;
  sample?: number;
  policy?: WitnessPolicy;
}

function parseArgs(argv: readonly string[]): VerifyArgs | string {
  let url: string | undefined;
  let stateFile = path.join('.parley', 'verify-state.json');
  let sample: number | undefined;
  let policy: WitnessPolicy | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--state') {
      const v = argv[++i];
      if (!v) return '--state needs a file';
      stateFile = v;
    } else if (a === '--sample') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) return '--sample needs a positive whole number';
      sample = n;
    } else if (a === '--witness-policy') {
      const file = argv[++i];
      if (!file || !fs.existsSync(file)) return '--witness-policy needs a policy file';
      const parsed = parseWitnessPolicy(fs.readFileSync(file, 'utf8'));
      if (typeof parsed === 'string') return `${file}: ${parsed}`;
      policy = parsed;
    } else if (a.startsWith('--')) {
      return `unknown option ${a}`;
    } else if (url === undefined) {
      url = a;
    } else {
      return `unexpected argument ${a}`;
    }
  }
  if (!url || !/^https?:\/\//.test(url)) return 'give the instance base URL, e.g. https://meet.example.org';
  const out: VerifyArgs = { url, stateFile };
  if (sample !== undefined) out.sample = sample;
  if (policy) out.policy = policy;
  return out;
}

function readState(file: string): VerifierState | null | string {
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as VerifierState;
  } catch {
    return `the state file ${file} is unreadable; move it away to start over (this forgets the pinned key)`;
  }
}

/** Run `verify` with arguments after the subcommand; `io` overrides for tests. */
export async function runVerify(argv: readonly string[], io: Partial<VerifierIo> = {}): Promise<CliResult> {
  const args = parseArgs(argv);
  if (typeof args === 'string') return { code: 2, message: `${args}\n${USAGE}` };
  const state = readState(args.stateFile);
  if (typeof state === 'string') return { code: 2, message: state };
  const result = await verifyLog(
    { fetchJson: httpFetchJson(args.url), verifyEd25519: nodeVerifyEd25519, hasher: nodeHasher, ...io },
    { state, sample: args.sample, policy: args.policy },
  );
  if (!result.ok) return { code: 1, message: `verification FAILED: ${result.message}` };
  fs.mkdirSync(path.dirname(path.resolve(args.stateFile)), { recursive: true });
  fs.writeFileSync(args.stateFile, `${JSON.stringify(result.state, null, 2)}\n`);
  return { code: 0, message: result.message };
}

const RECEIPT_USAGE = 'usage: parley verify-receipt <receipt.json> [--log-key <vkey>] [--witness-policy file]';

/** `verify-receipt`: check a removal receipt offline (no network). */
export async function runVerifyReceipt(argv: readonly string[]): Promise<CliResult> {
  let file: string | undefined;
  let logKey: string | undefined;
  let policy: WitnessPolicy | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--log-key') logKey = argv[++i];
    else if (a === '--witness-policy') {
      const f = argv[++i];
      const parsed = f && fs.existsSync(f) ? parseWitnessPolicy(fs.readFileSync(f, 'utf8')) : '--witness-policy needs a policy file';
      if (typeof parsed === 'string') return { code: 2, message: `${parsed}\n${RECEIPT_USAGE}` };
      policy = parsed;
    } else if (file === undefined && !a.startsWith('--')) file = a;
    else return { code: 2, message: `unexpected argument ${a}\n${RECEIPT_USAGE}` };
  }
  if (!file || !fs.existsSync(file)) return { code: 2, message: RECEIPT_USAGE };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { code: 1, message: `receipt NOT verified: ${file} is not JSON` };
  }
  const r = await verifyReceipt(json, { logKey, policy, hasher: nodeHasher, verifyEd25519: nodeVerifyEd25519 });
  return r.ok ? { code: 0, message: `receipt verified: ${r.message}` } : { code: 1, message: `receipt NOT verified: ${r.message}` };
}

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<CliResult>> = {
  verify: (argv) => runVerify(argv),
  'verify-receipt': (argv) => runVerifyReceipt(argv),
  witness: (argv) => runWitness(argv, nodeVerifyEd25519),
};

async function main(argv: readonly string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const handler = cmd === undefined ? undefined : COMMANDS[cmd];
  const result = handler ? await handler(rest) : { code: 2, message: USAGE };
  (result.code === 0 ? process.stdout : process.stderr).write(`${result.message}\n`);
  process.exitCode = result.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main(process.argv.slice(2));
}
