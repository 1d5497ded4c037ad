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

/** A demand as the API returns it: with whether it has expired and whether its gag is in force now. */
export const DemandView = Demand.extend({ expired: z.boolean(), gagInForce: z.boolean() });
export type DemandView = z.infer<typeof DemandView>;

export const DemandOutcome = z.object({ meetingId: z.string(), outcome: z.enum(['removed', 'no-action']), count: z.number().int(), at: z.number() });
export type DemandOutcome = z.infer<typeof DemandOutcome>;

export const MeetingImpact = z.object({
  meetingId: z.string(),
  title: z.string().nullable(),
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
  meetings: z.array(MeetingImpact),
  /** Live participants signed in to targeted accounts, located in the jurisdiction, in other meetings. */
  accountSessions: z.number().int(),
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
