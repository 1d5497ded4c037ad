/** The policy domain: legal demands, country restrictions, account policy. Import only this file. */
export { inScope } from './scope.js';
export { createPolicyEngine, OUTCOME_WAIT_MS, type PolicyDeps, type PolicyEngine } from './engine.js';
export type { PolicyPort } from './context.js';
export type { Reloaded } from './reload.js';
export { createPolicy, type CreatePolicyOptions } from './create.js';
export { policyRoutes, type PolicyRouteOptions } from './routes.js';
export { createKyselyPolicyStore } from './store.js';
export { createMemoryPolicyStore } from './memory-store.js';
export { restrictionRefuses, OPEN_RESTRICTION } from './restrictions.js';
export type { HostingUser } from './account-policy.js';
export type { ImpactPreview, MeetingImpact } from './enforce.js';
export type {
  AccountPolicy,
  ClusterView,
  MeetingHost,
  OutcomeCollector,
  Demand,
  DemandAsk,
  DemandLock,
  DemandOutcome,
  DemandPatch,
  DemandState,
  PolicyHooks,
  PolicyLog,
  PolicyStore,
  RemotePresence,
  Restriction,
  RestrictionScope,
} from './types.js';
