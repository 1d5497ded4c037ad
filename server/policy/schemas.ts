/** REST bodies of policy/, validated at the boundary. Country codes get INVALID_COUNTRY. */
import { z } from 'zod';
import { isCountryCode } from '../../protocol/countries.js';
import { AppError } from '../../protocol/errors.js';
import { AskKind } from '../../protocol/transparency.js';
import { MAX_TITLE_PATTERN_STARS } from './context.js';

const Text = (max: number) => z.string().trim().min(1).max(max);
/** A time: epoch milliseconds or an ISO 8601 date / date-time. */
const Time = z
  .union([
    z.number().int().nonnegative().max(8.64e15),
    z
      .string()
      .max(40)
      .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date or date-time'),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const MeetingId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
/** Country fields are plain strings here and checked by `country()`, so the error is INVALID_COUNTRY. */
const Country = z.string().max(16);

export const DemandInput = z.strictObject({
  authority: Text(200),
  /** The authority's own jurisdiction: one ISO 3166-1 alpha-2 code. */
  jurisdiction: Country,
  /** If the body names a jurisdiction to act on, it must be the authority's own. */
  targetJurisdiction: Country.optional(),
  legalBasis: Text(1000),
  reference: Text(200),
  receivedAt: Time,
  /** What was asked, in the authority's own words. */
  askedText: Text(20_000),
  asks: z
    .array(z.strictObject({ kind: AskKind, detail: Text(2000).optional(), jurisdiction: Country.optional() }))
    .min(1)
    .max(16),
  targets: z.strictObject({
    meetings: z.array(MeetingId).max(1000).default([]),
    /** Account ids or emails. */
    accounts: z.array(z.string().trim().min(1).max(254)).max(1000).default([]),
    titlePattern: Text(200)
      .refine((p) => p.split('*').length - 1 <= MAX_TITLE_PATTERN_STARS, `a title pattern may have at most ${MAX_TITLE_PATTERN_STARS} "*" wildcards`)
      .nullable()
      .optional(),
  }),
  /** A gag must end: one without an end date is refused (it would erase, not delay, the record). */
  gag: z.strictObject({ until: Time }).nullable().optional(),
  expiresAt: Time.nullable().optional(),
});
export type DemandInput = z.infer<typeof DemandInput>;

export const RestrictionInput = z.strictObject({
  mode: z.enum(['block', 'allow']),
  countries: z.array(Country).max(300),
  unknown: z.enum(['allow', 'block']),
});

export const AccountPolicyInput = z.strictObject({
  policies: z.array(z.strictObject({ country: Country, individualSignupDisabled: z.boolean(), businessRequiresVerification: z.boolean() })).max(300),
});

export const ReasonInput = z.strictObject({ reason: Text(2000) });
export const OptionalReasonInput = z.strictObject({ reason: Text(2000).optional() }).optional();
export const VerifyInput = z.strictObject({ verified: z.boolean().default(true) }).optional();

/** The code as a country, or AppError('INVALID_COUNTRY') naming the field. */
export function country(value: string, path: string): string {
  if (!isCountryCode(value)) throw new AppError('INVALID_COUNTRY', undefined, { path, value: value.slice(0, 16) });
  return value;
}
