/**
 * The transparency domain: an append-only, publicly verifiable record of every demand and
 * action (RFC 9162 Merkle tree, C2SP signed checkpoints). Other domains import only this file.
 *
 * Contract for callers (write-ahead): `await log.append(entry)` BEFORE taking the action the
 * entry records; if it rejects, do not take the action.
 */
import type { FastifyInstance } from 'fastify';
import type { TransparencyLog } from './log.js';
import { transparencyRoutes } from './routes.js';

export { createTransparencyLog } from './log.js';
export type { AppendResult, Integrity, LogLogger, TransparencyLog, TransparencyLogOptions } from './log.js';
export { transparencyRoutes } from './routes.js';
export { assertLogIntact } from './health.js';
export { configuredKeyStore, fileKeyStore } from './key-store.js';
export type { KeyStore } from './keys.js';
export { parseWitnesses } from './witness-client.js';
export type { WitnessConfig } from './witness-client.js';
export { ALARM_REASONS, WitnessesResponse } from './witness-status.js';
export type { AlarmReason, WitnessAlarm, WitnessStatus } from './witness-status.js';
export type { TransparencyRoutesOptions } from './routes.js';
export { computeReport, reportToCsv, halfYear, ReportBuilder } from './report.js';
export type { ReportRow, TransparencyReport } from './report.js';
export type { SignedCheckpoint } from './checkpoint.js';
export { createPseudonymizer } from './pseudonym.js';
export type { Pseudonymizer } from './pseudonym.js';
export { verifyLog } from './verifier.js';
export type { VerifierState, VerifyResult } from './verifier.js';
export type { EntryOf, LogEntry, LogEntryType, PseudonymKind } from '../../protocol/transparency.js';

/** Mount the public transparency API (no sign-in) on `app`. */
export async function registerTransparency(app: FastifyInstance, log: TransparencyLog, opts: { publicUrl?: string } = {}): Promise<void> {
  await app.register(transparencyRoutes, { log, ...opts });
}
