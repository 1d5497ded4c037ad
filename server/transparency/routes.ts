/** Public, sign-in-free HTTP API of the transparency log (CT-style, under /transparency/v1/). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import { MAX_ENTRIES_PER_CALL } from '../../protocol/transparency.js';
import { toBase64, utf8 } from './bytes.js';
import { assertServable } from './health.js';
import type { Receipt } from './receipt.js';
import { parseTilePath } from './tiles.js';
import type { TransparencyLog } from './log.js';
import type { WitnessesResponse } from './witness-status.js';
import { reportToCsv } from './report.js';

export interface TransparencyRoutesOptions {
  log: TransparencyLog;
  /** Public base URL of this instance (for log_url); default: from the request's Host. */
  publicUrl?: string;
}

const Int = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

function query<T extends z.ZodType>(schema: T, req: FastifyRequest): z.infer<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('BAD_REQUEST', issue ? `${issue.path.join('.') || 'query'}: ${issue.message}` : undefined);
  }
  return parsed.data;
}

function publicHeaders(reply: FastifyReply, cache: string): void {
  // Anyone may audit from any origin; nothing here is private.
  reply.header('access-control-allow-origin', '*');
  reply.header('cache-control', cache);
}

/** Fastify plugin: register with `app.register(transparencyRoutes, { log })`. */
export async function transparencyRoutes(app: FastifyInstance, opts: TransparencyRoutesOptions): Promise<void> {
  const { log } = opts;
  const base = '/transparency/v1';

  app.get(`${base}/get-sth`, async (_req, reply) => {
    const cp = log.servedCheckpoint();
    if (!cp) throw new AppError('NOT_FOUND', 'No checkpoint has been published yet.');
    publicHeaders(reply, 'no-cache');
    return {
      tree_size: cp.treeSize,
      timestamp: cp.timestamp,
      sha256_root_hash: toBase64(cp.rootHash),
      tree_head_signature: toBase64(cp.signature),
      checkpoint: cp.note,
    };
  });

  app.get(`${base}/get-sth-consistency`, async (req, reply) => {
    const { first, second } = query(z.object({ first: Int, second: Int }), req);
    if (first > second) throw new AppError('BAD_REQUEST', 'first must not exceed second.');
    assertServable(log, second - 1);
    if (second > log.size()) throw new AppError('BAD_REQUEST', `second exceeds the tree size ${log.size()}.`);
    publicHeaders(reply, 'public, max-age=31536000, immutable');
    return { consistency: log.consistencyProof(first, second).map(toBase64) };
  });

  app.get(`${base}/get-proof-by-hash`, async (req, reply) => {
    const q = query(z.object({ hash: z.string().min(1).max(64), tree_size: Int.min(1) }), req);
    assertServable(log, q.tree_size - 1);
    if (q.tree_size > log.size()) throw new AppError('BAD_REQUEST', `tree_size exceeds the tree size ${log.size()}.`);
    // An unencoded '+' arrives as a space; base64 has no spaces, so this is unambiguous.
    const proof = await log.inclusionProof(q.hash.replace(/ /g, '+'), q.tree_size);
    publicHeaders(reply, 'public, max-age=31536000, immutable');
    return { leaf_index: proof.leafIndex, audit_path: proof.auditPath.map(toBase64) };
  });

  app.get(`${base}/get-entries`, async (req, reply) => {
    const { start, end } = query(z.object({ start: Int, end: Int }), req);
    if (end < start) throw new AppError('BAD_REQUEST', 'end must not be less than start.');
    // Past a row that no longer matches its hash nothing is served: say why, with its index.
    assertServable(log, start);
    if (start >= log.size()) throw new AppError('BAD_REQUEST', `start is beyond the tree size ${log.size()}.`);
    const rows = await log.getEntries(start, Math.min(end, start + MAX_ENTRIES_PER_CALL - 1));
    publicHeaders(reply, 'no-cache');
    return { entries: rows.map((r) => ({ leaf_input: toBase64(utf8(r.entry)), index: r.index })) };
  });

  // C2SP tlog-checkpoint at <prefix>/checkpoint (prefix /transparency), cosignatures included.
  app.get('/transparency/checkpoint', async (_req, reply) => {
    const cp = log.servedCheckpoint();
    if (!cp) throw new AppError('NOT_FOUND', 'No checkpoint has been published yet.');
    publicHeaders(reply, 'no-cache');
    reply.header('content-type', 'text/plain; charset=utf-8');
    return cp.note;
  });

  // C2SP tlog-tiles under the same prefix, immutable once they exist. One route per path depth
  // (an index of up to 5 elements, then .p/<W>): Fastify params, not a wildcard, so every route is listed.
  const segments = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (let depth = 1; depth <= segments.length; depth++) {
    const names = segments.slice(0, depth);
    app.get(`/transparency/tile/:level/${names.map((n) => `:${n}`).join('/')}`, async (req, reply) => {
      const params = req.params as Record<string, string>;
      const address = parseTilePath([params.level, ...names.map((n) => params[n])].join('/'));
      if (!address) throw new AppError('NOT_FOUND', 'Not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>].');
      const bytes = await log.tile(address);
      if (!bytes) throw new AppError('NOT_FOUND', 'The tree does not hold that tile yet.');
      publicHeaders(reply, 'public, max-age=31536000, immutable');
      reply.header('content-type', 'application/octet-stream');
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
  }

  // A receipt for one entry: the entry, its inclusion proof and the served (cosigned) checkpoint.
  app.get(`${base}/receipt`, async (req, reply) => {
    const { index } = query(z.object({ index: Int }), req);
    const cp = log.servedCheckpoint();
    if (!cp || index >= cp.treeSize) throw new AppError('NOT_FOUND', 'That entry is not in a published checkpoint yet; try again in a few seconds.');
    assertServable(log, index);
    const [row] = await log.getEntries(index, index);
    if (!row) throw new AppError('NOT_FOUND');
    const proof = await log.inclusionProof(index, cp.treeSize);
    publicHeaders(reply, 'no-cache');
    return {
      format: 'parley-receipt/v1',
      log_key: log.verifierKey,
      index,
      entry: row.entry,
      inclusion_proof: proof.auditPath.map(toBase64),
      checkpoint: cp.note,
    } satisfies Receipt;
  });

  app.get(`${base}/witnesses`, async (_req, reply) => {
    publicHeaders(reply, 'no-cache');
    return { witnesses: log.witnesses(), alarms: log.witnessAlarms(), policy: log.suggestedWitnessPolicy() } satisfies WitnessesResponse;
  });

  app.get(`${base}/report`, async (_req, reply) => {
    publicHeaders(reply, 'no-cache');
    return log.report();
  });

  app.get(`${base}/report.csv`, async (_req, reply) => {
    publicHeaders(reply, 'no-cache');
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'inline; filename="parley-transparency-report.csv"');
    return reportToCsv(log.report());
  });

  app.get('/.well-known/parley-transparency.json', async (req, reply) => {
    publicHeaders(reply, 'public, max-age=300');
    const origin = opts.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
    return {
      origin: log.origin,
      public_key: toBase64(log.publicKey),
      key_name: log.keyName,
      log_url: `${origin}${base}/`,
      verifier_key: log.verifierKey,
    };
  });
}
