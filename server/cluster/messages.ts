/** What nodes tell each other. Every message is a hint: PostgreSQL holds the truth it points to. */
import { z } from 'zod';
import { DemandOutcome } from '../../protocol/policy.js';

export const ClusterMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('demand.approved'), demandId: z.number().int().positive() }),
  z.object({ type: z.literal('demand.lifted'), demandId: z.number().int().positive() }),
  z.object({ type: z.literal('demand.expired'), demandId: z.number().int().positive() }),
  z.object({ type: z.literal('restrictions.changed'), scope: z.enum(['instance', 'account', 'meeting']), subject: z.string().max(200) }),
  z.object({ type: z.literal('account-policy.changed') }),
  z.object({ type: z.literal('log.appended'), size: z.number().int().nonnegative() }),
  /** The outcomes the sending node decided (and logged) for the meetings it hosts; sent also when there are none. */
  z.object({ type: z.literal('demand.outcomes'), demandId: z.number().int().positive(), outcomes: z.array(DemandOutcome).max(10_000) }),
]);
export type ClusterMessage = z.infer<typeof ClusterMessage>;
export type ClusterMessageType = ClusterMessage['type'];

/** On the wire: who sent it and when (ms since epoch), for latency figures and self-filtering. */
export const Envelope = z.object({ v: z.literal(1), from: z.string().min(1).max(100), at: z.number(), msg: ClusterMessage });
export type Envelope = z.infer<typeof Envelope>;

export const CHANNEL = 'parley:cluster';
