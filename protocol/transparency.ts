/**
 * Transparency-log entries: one discriminated union on `type`, each with `v: 1` and `at` (ms),
 * plus canonical JSON (sorted keys, no whitespace, UTF-8) — the exact bytes that are hashed.
 *
 * Entries are strict objects: an unknown field is a validation error, so personal data cannot
 * slip into the public log through an extra property. People, meetings and accounts appear
 * only as pseudonyms (see server/transparency/pseudonym.ts). Extend by adding a new `type`
 * (or a new optional field) here; never change the meaning of an existing one.
 *
 * Some invariants are enforced by the schema itself, as defence in depth (the append fails, so
 * the action it precedes cannot happen): an enforcement's evidence country must equal its
 * jurisdiction; a demand's asks other than blocking participants / restricting sign-up can
 * only be recorded as not performed; an account suspension never carries a demand id.
 */
import { z } from 'zod';

/** ISO 3166-1 alpha-2, upper case (CN, HK, MO and TW are separate jurisdictions). */
/** The patterns the schemas below use, exported for the log's fast path (server/transparency/fast-accept.ts). */
export const COUNTRY_PATTERN = /^[A-Z]{2}$/;
/** ISO 8601 date or date-time (UTC) of a location database build. */
export const BUILD_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/;

export const CountryCode = z.string().regex(COUNTRY_PATTERN, 'ISO 3166-1 alpha-2 code');

/** Kinds of things that get pseudonyms, and their one-letter prefixes. */
export const PSEUDONYM_PREFIX = {
  participant: 'p',
  meeting: 'm',
  account: 'a',
  operator: 'o',
} as const;
export type PseudonymKind = keyof typeof PSEUDONYM_PREFIX;

/** `p_…` participant, `m_…` meeting, `a_…` account, `o_…` operator role holder: 16 base32 chars = 80 bits. */
export const Pseudonym = z.string().regex(/^[pmao]_[a-z2-7]{16}$/, 'pseudonym');
/** The pattern of one kind's pseudonyms, e.g. /^p_[a-z2-7]{16}$/. */
export const pseudonymPattern = (kind: PseudonymKind): RegExp => new RegExp(`^${PSEUDONYM_PREFIX[kind]}_[a-z2-7]{16}$`);
const pseudonymOf = (kind: PseudonymKind) => z.string().regex(pseudonymPattern(kind), `${kind} pseudonym`);
export const ParticipantPseudonym = pseudonymOf('participant');
export const MeetingPseudonym = pseudonymOf('meeting');
export const AccountPseudonym = pseudonymOf('account');
export const OperatorPseudonym = pseudonymOf('operator');

const Ms = z.number().int().nonnegative().max(8.64e15);
const Id = z.string().min(1).max(128);
const Text = z.string().min(1).max(2000);

/** What a demand may ask for. Only the first and `restrict-signup` can ever be performed. */
export const ASK_KINDS = [
  'block-participants',
  'end-meeting',
  'close-account',
  'suspend-account',
  'delete-content',
  'hand-over-data',
  'restrict-signup',
  'other',
] as const;
export const AskKind = z.enum(ASK_KINDS);
export type AskKind = z.infer<typeof AskKind>;
/** The only asks Parley can act on (invariant 2, least impact). */
export const PERFORMABLE_ASKS: readonly AskKind[] = ['block-participants', 'restrict-signup'];

export const Ask = z.strictObject({ kind: AskKind, performed: z.boolean(), reason: Text.optional() }).superRefine((a, ctx) => {
  if (!a.performed && a.reason === undefined) ctx.addIssue({ code: 'custom', message: 'an ask not performed needs a reason', path: ['reason'] });
  if (a.performed && !PERFORMABLE_ASKS.includes(a.kind)) {
    ctx.addIssue({ code: 'custom', message: `a demand can never perform ${a.kind}`, path: ['performed'] });
  }
});
export type Ask = z.infer<typeof Ask>;

/** Which location database placed the participant, so the decision can be re-checked. */
export const Evidence = z.strictObject({
  country: CountryCode,
  database: z.string().min(1).max(200),
  /** ISO 8601 date or date-time of the database build. */
  databaseBuildDate: z.string().regex(BUILD_DATE_PATTERN),
});

const base = <T extends string>(type: T) => ({ v: z.literal(1), type: z.literal(type), at: Ms });

/** SHA-256, lower-case hex. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 hex');

/**
 * The commitment a gagged demand.recorded carries instead of authority, reference and legal
 * basis: SHA-256 over the canonical JSON of `{authority, legalBasis, reference, salt}` (salt:
 * 32 random bytes, hex). demand.gag-ended publishes the four when the gag ends.
 */
export function gagCommitmentInput(p: { authority: string; legalBasis: string; reference: string; salt: string }): string {
  return canonicalJson({ authority: p.authority, legalBasis: p.legalBasis, reference: p.reference, salt: p.salt });
}

const DemandRecorded = z
  .strictObject({
    ...base('demand.recorded'),
    demandId: Id,
    /** Absent while a gag applies (then `commitment` stands for authority, reference and basis). */
    authority: Text.optional(),
    jurisdiction: CountryCode,
    legalBasis: Text.optional(),
    reference: Text.optional(),
    /** Gagged demands: SHA-256 hex of gagCommitmentInput(...); demand.gag-ended opens it. */
    commitment: Sha256Hex.optional(),
    receivedAt: Ms,
    asked: z
      .array(Ask)
      .min(1)
      .max(ASK_KINDS.length * 4),
    /** Pseudonyms of the meetings, accounts or participants named in the demand. */
    targets: z.array(Pseudonym).max(10_000),
    gag: z.strictObject({ active: z.boolean(), until: Ms.nullable() }),
    expiresAt: Ms.nullable(),
    recordedBy: OperatorPseudonym.optional(),
  })
  .refine((e) => (e.commitment === undefined) === (e.authority !== undefined && e.reference !== undefined && e.legalBasis !== undefined), {
    message: 'either authority, reference and legal basis, or (under a gag) their commitment',
    path: ['commitment'],
  });

/** A gag ended: what the commitment on demand.recorded stood for, and its salt. */
const DemandGagEnded = z.strictObject({
  ...base('demand.gag-ended'),
  demandId: Id,
  authority: Text,
  legalBasis: Text,
  reference: Text,
  salt: z.string().regex(/^[0-9a-f]{64}$/),
});

/** An approver looked at the counts a demand awaiting approval would affect. */
const DemandPreviewed = z.strictObject({ ...base('demand.previewed'), demandId: Id, by: OperatorPseudonym });

const DemandDecided = z.strictObject({
  ...base('demand.decided'),
  demandId: Id,
  decision: z.enum(['approved', 'rejected']),
  by: OperatorPseudonym,
  reason: Text.optional(),
});

const DemandLifted = z.strictObject({
  ...base('demand.lifted'),
  demandId: Id,
  by: OperatorPseudonym.optional(),
  reason: Text.optional(),
});

const DemandExpired = z.strictObject({ ...base('demand.expired'), demandId: Id });

const enforcement = <T extends string>(type: T) =>
  z
    .strictObject({
      ...base(type),
      demandId: Id,
      meeting: MeetingPseudonym,
      participant: ParticipantPseudonym,
      jurisdiction: CountryCode,
      evidence: Evidence,
      /**
       * The notice the participant was given with this refusal or removal (authorityNamed is
       * false under a gag). Recorded in the action's own entry rather than a separate
       * notice.sent, so one removal is one entry. Absent only in entries written before it existed.
       */
      notice: z.strictObject({ authorityNamed: z.boolean() }).optional(),
    })
    .refine((e) => e.evidence.country === e.jurisdiction, {
      message: 'a demand can only act on participants located in its own jurisdiction',
      path: ['evidence', 'country'],
    });

const EnforcementRefused = enforcement('enforcement.refused');
const EnforcementRemoved = enforcement('enforcement.removed');

const EnforcementNoAction = z.strictObject({
  ...base('enforcement.no-action'),
  demandId: Id,
  meeting: MeetingPseudonym,
  jurisdiction: CountryCode,
  /** e.g. "no participants located in CN". */
  reason: Text,
});

const NoticeSent = z.strictObject({
  ...base('notice.sent'),
  to: z.enum(['participant', 'host']),
  recipient: z.union([ParticipantPseudonym, AccountPseudonym]),
  meeting: MeetingPseudonym.optional(),
  demandId: Id.nullable(),
  jurisdiction: CountryCode.optional(),
  /** False while a recorded gag applies. */
  authorityNamed: z.boolean(),
  /** Host notices: how many participants were refused or removed. */
  count: z.number().int().nonnegative().optional(),
});

const RestrictionChanged = z.strictObject({
  ...base('restriction.changed'),
  scope: z.enum(['instance', 'account', 'meeting']),
  /** Account or meeting pseudonym; null for the instance. */
  subject: z.union([AccountPseudonym, MeetingPseudonym]).nullable(),
  mode: z.enum(['block', 'allow']),
  countries: z.array(CountryCode).max(300),
  unknown: z.enum(['allow', 'block']),
  anonymizers: z.enum(['allow', 'block']).optional(),
  by: z.union([OperatorPseudonym, AccountPseudonym]).optional(),
  /** Instance restrictions: the second admin who approved the change. */
  approvedBy: OperatorPseudonym.optional(),
});

/** A participant removed because an instance, account or meeting restriction changed (no demand). */
const RestrictionRemoved = z.strictObject({
  ...base('restriction.removed'),
  scope: z.enum(['instance', 'account', 'meeting']),
  meeting: MeetingPseudonym,
  participant: ParticipantPseudonym,
  /** country null: an unknown location (private range, missing entry, anonymiser). */
  evidence: z.strictObject({ country: CountryCode.nullable(), database: z.string().min(1).max(200), databaseBuildDate: z.string().regex(BUILD_DATE_PATTERN) }),
});

const InstanceRole = z.enum(['admin', 'compliance', 'approver', 'auditor']);
/**
 * Who holds an operator role changed: requested by one admin (`by`), approved by another
 * (`approvedBy`); or, with `trigger: 'cli'` and neither, the instance's first admin made from
 * the server's shell while no account was admin (docs/powers.md).
 */
const RoleChanged = z
  .strictObject({
    ...base('role.changed'),
    account: OperatorPseudonym,
    granted: z.array(InstanceRole).max(4),
    revoked: z.array(InstanceRole).max(4),
    by: OperatorPseudonym.optional(),
    approvedBy: OperatorPseudonym.optional(),
    trigger: z.literal('cli').optional(),
  })
  .refine(
    (e) =>
      e.trigger === 'cli' ? e.by === undefined && e.approvedBy === undefined && e.revoked.length === 0 : e.by !== undefined && e.approvedBy !== undefined,
    {
      message: "role.changed names by and approvedBy, or neither with trigger 'cli' (a bootstrap grant)",
    },
  );

/** The location database in use changed (or was reloaded): the file's hash, name and build date. */
const GeoDatabaseChanged = z.strictObject({
  ...base('geo.database-changed'),
  sha256: Sha256Hex,
  database: z.string().min(1).max(200),
  databaseBuildDate: z.string().regex(BUILD_DATE_PATTERN),
  by: OperatorPseudonym.optional(),
  approvedBy: OperatorPseudonym.optional(),
  /** 'api' (two admins), 'signal' (SIGHUP on the host), 'startup'. */
  trigger: z.enum(['api', 'signal', 'startup']),
});

const VerificationChanged = z.strictObject({
  ...base('account.verification-changed'),
  account: AccountPseudonym,
  verified: z.boolean(),
  by: OperatorPseudonym,
  approvedBy: OperatorPseudonym.optional(),
});

/** An admin read a meeting's cross-node roster counts. */
const RosterViewed = z.strictObject({ ...base('roster.viewed'), meeting: MeetingPseudonym, by: OperatorPseudonym });

const AccountPolicyChanged = z.strictObject({
  ...base('account-policy.changed'),
  jurisdiction: CountryCode,
  /** Account types that people located in the jurisdiction may no longer create. */
  restrictedAccountTypes: z.array(z.enum(['individual', 'business'])).max(2),
  /** Whether business accounts from the jurisdiction must be verified before they host. */
  businessVerificationRequired: z.boolean().optional(),
  demandId: Id.nullable(),
  by: OperatorPseudonym.optional(),
  /** The second admin who approved the change. */
  approvedBy: OperatorPseudonym.optional(),
});

const accountStatus = <T extends string>(type: T) =>
  z.strictObject({
    ...base(type),
    account: AccountPseudonym,
    reason: Text,
    /** Always null: a demand can never suspend or reactivate an account (invariant 2). */
    demandId: z.null().optional(),
    by: OperatorPseudonym.optional(),
    /** The second admin who approved it. */
    approvedBy: OperatorPseudonym.optional(),
  });

const DataRequestRefused = z.strictObject({
  ...base('data-request.refused'),
  demandId: Id,
  jurisdiction: CountryCode,
  reason: Text,
});

/** Every entry the log accepts. */
export const LogEntry = z.discriminatedUnion('type', [
  DemandRecorded,
  DemandDecided,
  DemandLifted,
  DemandExpired,
  EnforcementRefused,
  EnforcementRemoved,
  EnforcementNoAction,
  NoticeSent,
  RestrictionChanged,
  AccountPolicyChanged,
  accountStatus('account.suspended'),
  accountStatus('account.reactivated'),
  DataRequestRefused,
  DemandGagEnded,
  DemandPreviewed,
  RestrictionRemoved,
  RoleChanged,
  GeoDatabaseChanged,
  VerificationChanged,
  RosterViewed,
]);
export type LogEntry = z.infer<typeof LogEntry>;
export type LogEntryType = LogEntry['type'];
/** The entry of one type, e.g. `EntryOf<'enforcement.removed'>`. */
export type EntryOf<T extends LogEntryType> = Extract<LogEntry, { type: T }>;

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, undefined-valued keys
 * dropped, arrays kept in order. Throws on values JSON cannot represent exactly.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      // Plain loops and string appends: this runs for every log entry (thousands per enforcement).
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson((value[i] as unknown) ?? null);
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort(); // default sort: UTF-16 code unit order
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** Validate and canonicalise an entry; throws the ZodError on invalid input. */
export function canonicalEntry(entry: unknown): { entry: LogEntry; json: string } {
  const parsed = LogEntry.parse(entry);
  return { entry: parsed, json: canonicalJson(parsed) };
}

// ---- public API wire shapes (shared by the server routes, the CLI and the web page) ----

export const SthResponse = z.object({
  tree_size: z.number().int().nonnegative(),
  timestamp: z.number().int().nonnegative(),
  sha256_root_hash: z.string(),
  tree_head_signature: z.string(),
  checkpoint: z.string(),
});
export type SthResponse = z.infer<typeof SthResponse>;

export const ConsistencyResponse = z.object({ consistency: z.array(z.string()) });
export const ProofByHashResponse = z.object({ leaf_index: z.number().int().nonnegative(), audit_path: z.array(z.string()) });
export const EntriesResponse = z.object({
  entries: z.array(z.object({ leaf_input: z.string(), index: z.number().int().nonnegative() })),
});
export const WellKnownResponse = z.object({
  origin: z.string(),
  public_key: z.string(),
  key_name: z.string(),
  log_url: z.string(),
  verifier_key: z.string().optional(),
});
export type WellKnownResponse = z.infer<typeof WellKnownResponse>;

/** Most entries one get-entries call returns. */
export const MAX_ENTRIES_PER_CALL = 1000;
