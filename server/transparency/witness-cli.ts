/**
 * `parley witness --name <name> --data <dir> (--log <vkey> | --logs <file>)… [--port N] [--host H] [--prefix P]`
 * runs a tlog-witness anyone can host. Its key (witness.key) and state (witness-state.json)
 * live in <dir>; each followed log is a signed-note verifier key whose name is the log's origin
 * (a logs file holds one per line, `#` comments allowed; `<origin> <vkey>` when they differ).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseVerifierKey, type VerifierKey } from './cosignature.js';
import { ED25519_ALG, isValidKeyName } from './note.js';
import { createWitness, type FollowedLog } from './witness.js';
import { serveWitness } from './witness-server.js';
import { loadOrCreateKey, openWitnessStore } from './witness-store.js';

export const WITNESS_USAGE = 'usage: parley witness --name <name> --data <dir> (--log <vkey> | --logs <file>)... [--port 7380] [--host 127.0.0.1] [--prefix /]';

interface WitnessArgs {
  name: string;
  data: string;
  logs: FollowedLog[];
  port: number;
  host: string;
  prefix: string;
}

function logLine(line: string): FollowedLog | string {
  const parts = line.trim().split(/\s+/);
  const vkey = parts.at(-1) ?? '';
  const key: VerifierKey | null = parseVerifierKey(vkey);
  if (!key || key.alg !== ED25519_ALG || parts.length > 2) return `not a log verifier key: ${line.trim()}`;
  return { origin: parts.length === 2 ? parts[0]! : key.name, keys: [key] };
}

/** Parse arguments; a string is a usage error. */
export function parseWitnessArgs(argv: readonly string[]): WitnessArgs | string {
  const out: Partial<WitnessArgs> & { logs: FollowedLog[] } = { logs: [], port: 7380, host: '127.0.0.1', prefix: '' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) return `${flag} needs a value`;
    if (flag === '--name') out.name = value;
    else if (flag === '--data') out.data = value;
    else if (flag === '--port') out.port = Number(value);
    else if (flag === '--host') out.host = value;
    else if (flag === '--prefix') out.prefix = value;
    else if (flag === '--log' || flag === '--logs') {
      const lines = flag === '--log' ? [value] : fs.readFileSync(value, 'utf8').split('\n');
      for (const line of lines.map((l) => l.replace(/#.*/, '')).filter((l) => l.trim() !== '')) {
        const log = logLine(line);
        if (typeof log === 'string') return log;
        const same = out.logs.find((l) => l.origin === log.origin);
        if (same) same.keys.push(...log.keys);
        else out.logs.push(log);
      }
    } else return `unknown option ${flag}`;
  }
  if (!out.name || !isValidKeyName(out.name)) return '--name is required: the witness name, e.g. witness.example.org/parley (no spaces or "+")';
  if (!out.data) return '--data is required: the directory for the key and the state';
  if (out.logs.length === 0) return 'follow at least one log (--log <vkey> or --logs <file>)';
  if (!Number.isInteger(out.port) || out.port! < 0 || out.port! > 65535) return '--port must be a port number';
  return out as WitnessArgs;
}

/** Start the witness; resolves once it listens (the server keeps the process alive). */
export async function runWitness(
  argv: readonly string[],
  verifyEd25519: (k: Uint8Array, m: Uint8Array, s: Uint8Array) => Promise<boolean>,
): Promise<{ code: number; message: string }> {
  const args = parseWitnessArgs(argv);
  if (typeof args === 'string') return { code: 2, message: `${args}\n${WITNESS_USAGE}` };
  fs.mkdirSync(args.data, { recursive: true, mode: 0o700 });
  const key = loadOrCreateKey(path.join(args.data, 'witness.key'));
  const witness = createWitness({
    name: args.name,
    ...key,
    logs: args.logs,
    store: openWitnessStore(path.join(args.data, 'witness-state.json')),
    verifyEd25519,
    onConflict: (e) => process.stderr.write(`witness: refused a signed checkpoint from ${e.origin} (${e.status}): ${e.reason}\n`),
  });
  const server = await serveWitness(witness, args);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : args.port;
  const stop = (): void => void server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const origins = args.logs.map((l) => l.origin).join(', ');
  return {
    code: 0,
    message: `Parley witness ${witness.verifierKey}\nfollowing ${origins}\nlistening at http://${args.host}:${port}${args.prefix}/add-checkpoint`,
  };
}
