/**
 * The policy API's shapes (docs/policy.md): demands as the REST API returns them, impact
 * previews, outcomes, country restrictions and the account policy. One definition: the server's
 * types and the web console's are inferred from these schemas.
 */
import { z } from 'zod';
import { AskKind } from './transparency.js';

export const DemandState = z.enum(['recorded', 'approved', 'rejected', 'lifted', 'expired', 'refused']);
export type DemandState = z.infer<typeof DemandState>;

/** One thing the authority asked, and whether Parley does it. */
export const DemandAsk = z.object({
  kind: AskKind,
  /** The authority's words for this ask, if given separately. */
  detail: z.string().optional(),
  performed: z.boolean(),
  reason: z.string().optional(),
});
export type DemandAsk = z.infer<typeof DemandAsk>;

export const DemandTargets = z.object({
  meetings: z.array(z.string()),
  /** Account ids (emails given in the demand are resolved to ids when recorded). */
  accounts: z.array(z.string()),
  /** Emails named in the demand that matched no account here (kept as asked; they match nobody). */
  unmatchedEmails: z.array(z.string()),
  /** Case-insensitive glob (`*` any run) on meeting titles, for scheduled meetings. */
  titlePattern: z.string().nullable(),
});
export type DemandTargets = z.infer<typeof DemandTargets>;

export const DemandDocumentMeta = z.object({ sha256: z.string(), filename: z.string(), contentType: z.string(), size: z.number() });
export type DemandDocumentMeta = z.infer<typeof DemandDocumentMeta>;

export const Demand = z.object({
  id: z.number().int(),
  authority: z.string(),
  jurisdiction: z.string(),
  legalBasis: z.string(),
  reference: z.string(),
  receivedAt: z.number(),
  askedText: z.string(),
  asks: z.array(DemandAsk),
  targets: DemandTargets,
  gag: z.object({ active: z.boolean(), until: z.number().nullable() }),
  expiresAt: z.number().nullable(),
  state: DemandState,
  recordedBy: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  decisionReason: z.string().nullable(),
  endedBy: z.string().nullable(),
  endedAt: z.number().nullable(),
  document: DemandDocumentMeta.nullable(),
  createdAt: z.number(),
});
export type Demand = z.infer<typeof Demand>;

/**
 * A demand's targets as the API shows them: the meetings named by id and the title pattern as
 * asked, and only how many accounts (ids or emails) were named — never which emails resolved to
 * an account here (that would tell any reader who has an account).
 */
export const DemandTargetsView = z.object({ meetings: z.array(z.string()), accountsNamed: z.number().int(), titlePattern: z.string().nullable() });
export type DemandTargetsView = z.infer<typeof DemandTargetsView>;

/** What a signed-in reader may do with a demand; the server decides (server/policy/demand-guards.ts). */
export const DemandAction = z.enum(['approve', 'reject', 'lift', 'preview']);
export type DemandAction = z.infer<typeof DemandAction>;

/**
 * A demand as the API returns it: with whether it has expired, whether its gag is in force now,
 * and the actions the server would accept from the user who asked (the console shows only those).
 */
export const DemandView = Demand.extend({
  targets: DemandTargetsView,
  expired: z.boolean(),
  gagInForce: z.boolean(),
  allowedActions: z.array(DemandAction),
});
export type DemandView = z.infer<typeof DemandView>;

export const DemandOutcome = z.object({ meetingId: z.string(), outcome: z.enum(['removed', 'no-action']), count: z.number().int(), at: z.number() });
export type DemandOutcome = z.infer<typeof DemandOutcome>;

/** One meeting the demand names by id (meetings matched only by a title pattern are never listed). */
export const MeetingImpact = z.object({
  meetingId: z.string(),
  live: z.boolean(),
  /** Participants located in the jurisdiction now: the only ones the demand would act on. */
  inJurisdiction: z.number().int(),
  /** Participants located elsewhere or unknown: never affected. */
  outside: z.number().int(),
  action: z.enum(['remove', 'no action needed']),
});
export type MeetingImpact = z.infer<typeof MeetingImpact>;

export const ImpactPreview = z.object({
  demandId: z.number().int(),
  jurisdiction: z.string(),
  /** Meetings the demand names by id. */
  meetings: z.array(MeetingImpact),
  /** Live meetings matched only by the title pattern: counts, never ids or titles. */
  patternMatched: z.object({ meetings: z.number().int(), inJurisdiction: z.number().int(), outside: z.number().int() }),
  /** Participants in the meetings above located in the jurisdiction (targeted accounts are never counted apart: that would say who is online where). */
  totals: z.object({ inJurisdiction: z.number().int(), outsideAffected: z.literal(0) }),
  summary: z.string(),
});
export type ImpactPreview = z.infer<typeof ImpactPreview>;

/** "Block these countries/regions" or "allow only these", plus what to do with unknown locations. */
export const Restriction = z.object({ mode: z.enum(['block', 'allow']), countries: z.array(z.string()), unknown: z.enum(['allow', 'block']) });
export type Restriction = z.infer<typeof Restriction>;

/** Account creation rules for people located in one country, as the admin edits them. */
export const AccountPolicyRow = z.object({ country: z.string(), individualSignupDisabled: z.boolean(), businessRequiresVerification: z.boolean() });
export type AccountPolicyRow = z.infer<typeof AccountPolicyRow>;

/** The powers that wait for a second person (docs/powers.md). */
export const POWER_KINDS = ['restriction.instance', 'role.change', 'geo.reload', 'business.verification', 'account.status', 'account-policy'] as const;
export const PowerKind = z.enum(POWER_KINDS);
export type PowerKind = z.infer<typeof PowerKind>;

/** A command one operator requested, waiting for a second, different operator to approve it. */
export const PendingCommand = z.object({
  id: z.string(),
  kind: PowerKind,
  /** One line: what will happen when approved. */
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  requestedAt: z.number(),
  expiresAt: z.number(),
});
export type PendingCommand = z.infer<typeof PendingCommand>;
