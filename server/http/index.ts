export { requireRole, requireUser, setSessionCookie, clearSessionCookie, SESSION_COOKIE, DEVICE_COOKIE } from './auth.js';
export { addressKey, createFailureLimiter, createKeyedLimiter, createTokenBucket } from './rate-limit.js';
export type { FailureLimiter, TokenBucket } from './rate-limit.js';
export { countingTurnIssuer, createMetrics, createMetricsGuard } from './metrics.js';
export type { Metrics } from './metrics.js';
export { createOriginGuard } from './origin.js';
export type { OriginGuard, OriginPolicy } from './origin.js';
