/**
 * Parley's client-side security module (framework-free core + React pieces in ui/).
 * Wiring, in order: send `identityKey: (await deviceIdentity()).publicKey` with `join`;
 * create `createSecuritySession(client, joinResult, identity)` in the same tick the join
 * result arrives (so no `roster.event` is missed); pass `session.transform` to MediaClient;
 * call `session.rejoined(result)` on reconnect; mount <SecurityPanel session/> and
 * <SecurityWarnings session/>; `registerSecurityI18n(i18n)` once. See docs/security.md.
 */
import type { JoinResult } from '../../../protocol/signaling.js';
import type { DeviceIdentity } from './identity.js';
import { SecuritySession, type SecuritySignaling } from './e2ee-session.js';
import { createE2eeWorker } from './worker-factory.js';

export { deviceIdentity, type DeviceIdentity } from './identity.js';
export { SecuritySession, transformSupport, type SecuritySignaling, type EncryptionState } from './e2ee-session.js';
export { ChainKeeper, type SecurityWarning, type ChainState } from './chain-keeper.js';
export { isPinnedE2ee, observeE2ee } from './pins.js';
export { registerSecurityI18n, SECURITY_NS } from './i18n.js';

/** The production session: Vite-bundled transform worker, E2EE as the meeting says. */
export function createSecuritySession(signaling: SecuritySignaling, join: JoinResult, identity: DeviceIdentity): SecuritySession {
  return new SecuritySession({ signaling, join, identity, createWorker: createE2eeWorker });
}
