/**
 * The protocol version this client speaks. protocol/signaling.ts exports PROTOCOL_VERSION,
 * but importing its value would pull zod into the bundle; keep them equal (checked by tsc).
 */
import type { PROTOCOL_VERSION } from '../../../protocol/signaling.js';

export const PROTOCOL_VERSION_CLIENT: typeof PROTOCOL_VERSION = 1;
