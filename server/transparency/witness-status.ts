/**
 * What the log tells operators and the public about its witnesses (`GET
 * /transparency/v1/witnesses`): status per witness, recent alarms, and the witness policy the
 * instance suggests to verifiers. Browser-safe (the admin console and the page parse it).
 */
import { z } from 'zod';

/** Why a witness did not cosign: the `reason` label of `parley_witness_alarms_total`. */
export const ALARM_REASONS = ['rolled_back', 'conflict', 'refused', 'server_error', 'bad_response', 'bad_cosignature', 'unreachable'] as const;
export const AlarmReason = z.enum(ALARM_REASONS);
export type AlarmReason = z.infer<typeof AlarmReason>;

export const WitnessStatus = z.object({
  name: z.string(),
  key: z.string(),
  url: z.string(),
  /** Size of the latest checkpoint this witness cosigned for us (0: none), kept across restarts. */
  cosignedSize: z.number().int().nonnegative(),
  alarms: z.number().int().nonnegative(),
  lastAlarm: z.string().nullable(),
  alarmsByReason: z.partialRecord(AlarmReason, z.number().int().nonnegative()),
});
export type WitnessStatus = z.infer<typeof WitnessStatus>;

export const WitnessAlarm = z.object({ at: z.number().int(), witness: z.string(), reason: AlarmReason, message: z.string() });
export type WitnessAlarm = z.infer<typeof WitnessAlarm>;

export const WitnessesResponse = z.object({
  witnesses: z.array(WitnessStatus),
  /** Since this process started, newest first (at most 100). */
  alarms: z.array(WitnessAlarm),
  /** The policy this instance suggests (witness/group/quorum lines), or null without witnesses. A suggestion only. */
  policy: z.string().nullable(),
});
export type WitnessesResponse = z.infer<typeof WitnessesResponse>;

/** The suggested policy: every configured witness, a majority of them. */
export function suggestedPolicy(witnesses: readonly { name: string; key: string }[]): string | null {
  if (witnesses.length === 0) return null;
  const names = witnesses.map((w, i) => `w${i + 1}-${w.name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  const k = Math.floor(witnesses.length / 2) + 1;
  return [...witnesses.map((w, i) => `witness ${names[i]!} ${w.key}`), `group majority ${k} ${names.join(' ')}`, 'quorum majority', ''].join('\n');
}
