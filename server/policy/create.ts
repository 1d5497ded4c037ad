/** Production factory: the engine over Kysely storage, with the sign-up guard installed. */
import type { MeetingRecord } from '../meetings/index.js';
import type { Db } from '../storage/index.js';
import type { PolicyAccounts } from './context.js';
import { createPolicyEngine, type PolicyEngine } from './engine.js';
import type { OperatorAccounts } from './powers.js';
import { createKyselyPolicyStore } from './store.js';
import type { PolicyHooks, PolicyLog } from './types.js';
import type { SignupGuard } from '../accounts/index.js';

export interface CreatePolicyOptions {
  db: Db;
  /** The transparency log (server/transparency createTransparencyLog) or anything with its append/appendMany/pseudonym. */
  log: PolicyLog;
  meetings: { get(id: string): Promise<MeetingRecord | null> };
  accounts: PolicyAccounts & OperatorAccounts & { setSignupGuard(guard: SignupGuard): void };
  onAction?: (action: 'refused' | 'removed', jurisdiction: string) => void;
  expiryCheckMs?: number;
  /** Observers of committed policy changes (server/cluster adds its own with engine.addHooks). */
  hooks?: PolicyHooks;
}

/** Build the engine, load what is in force, and install the sign-up guard. Call attachPort(rooms) next. */
export async function createPolicy(opts: CreatePolicyOptions): Promise<PolicyEngine> {
  const engine = createPolicyEngine({
    store: createKyselyPolicyStore(opts.db),
    log: opts.log,
    meetings: opts.meetings,
    accounts: opts.accounts,
    operatorAccounts: opts.accounts,
    ...(opts.onAction ? { onAction: opts.onAction } : {}),
    ...(opts.expiryCheckMs !== undefined ? { expiryCheckMs: opts.expiryCheckMs } : {}),
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  await engine.start();
  opts.accounts.setSignupGuard(engine.signupGuard);
  return engine;
}
