/** Turning errors and removal notices into sentences, by code and kind. */
import type { TFunction } from 'i18next';
import type { RemovalNotice } from '../../../protocol/signaling.js';
import { ApiError } from './api.js';

const TRANSLATED = new Set([
  'WRONG_PASSCODE',
  'PASSCODE_LOCKED',
  'MEETING_LOCKED',
  'MEETING_ENDED',
  'MEETING_NOT_FOUND',
  'REMOVED_FROM_MEETING',
  'LOCATION_RESTRICTED',
  'LEGAL_RESTRICTION',
  'INVALID_CREDENTIALS',
  'EMAIL_TAKEN',
  'SIGNUP_RESTRICTED',
  'RATE_LIMITED',
  'UNAUTHENTICATED',
  'VALIDATION_FAILED',
  'NOT_HOST',
  'ACCOUNT_SUSPENDED',
  'BUSINESS_VERIFICATION_REQUIRED',
  'NETWORK',
  'TIMEOUT',
  'ATTENDEE_CANNOT_PUBLISH',
  'MICS_LOCKED',
  'NOT_AN_EVENT',
  'SELF_APPROVAL',
  'LINKED_APPROVAL',
  'DEMAND_STATE',
  'DEMAND_EXPIRED',
]);

/** The message of anything thrown (an Error's message, otherwise its text). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A sentence for any error, in the current language. */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    const notice = noticeFromError(err);
    if (notice && (notice.kind === 'legal' || notice.kind === 'location')) return noticeText(t, notice, 'refused');
    if (TRANSLATED.has(err.code)) return t(`errors.${err.code}`);
  }
  return t('errors.generic');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A join refusal expressed as the notice the participant should see, when it is one. */
export function noticeFromError(err: ApiError): RemovalNotice | null {
  const d = (typeof err.details === 'object' && err.details !== null ? err.details : {}) as Record<string, unknown>;
  const extra: Omit<RemovalNotice, 'kind'> = {};
  const authority = str(d.authority);
  const jurisdiction = str(d.jurisdiction);
  const country = str(d.country);
  if (authority) extra.authority = authority;
  if (jurisdiction) extra.jurisdiction = jurisdiction;
  if (country) extra.country = country;
  if (typeof d.demandId === 'number') extra.demandId = d.demandId;
  if (typeof d.entryIndex === 'number' && Number.isSafeInteger(d.entryIndex) && d.entryIndex >= 0) extra.entryIndex = d.entryIndex; // their receipt
  switch (err.code) {
    case 'LEGAL_RESTRICTION':
      return { kind: 'legal', ...extra };
    case 'LOCATION_RESTRICTED':
      return { kind: 'location', ...extra };
    case 'REMOVED_FROM_MEETING':
      return { kind: 'host', ...extra };
    case 'MEETING_ENDED':
      return { kind: 'meeting-ended' };
    default:
      return null;
  }
}

/**
 * The sentence a removed (or refused) participant reads. A legal notice without an
 * authority is the gagged form: it says a legal restriction applies, and no more.
 */
export function noticeText(t: TFunction, n: RemovalNotice, mode: 'removed' | 'refused' = 'removed'): string {
  switch (n.kind) {
    case 'host':
      return t('notice.host');
    case 'legal':
      if (n.authority) {
        return t(mode === 'refused' ? 'notice.refusedLegal' : 'notice.legal', {
          authority: n.authority,
          jurisdiction: n.jurisdiction ?? n.country ?? '',
        });
      }
      return t(mode === 'refused' ? 'notice.refusedLegalGag' : 'notice.legalGag');
    case 'location': {
      const country = n.country ?? n.jurisdiction;
      return country ? t('notice.location', { country }) : t('notice.locationUnknown');
    }
    case 'meeting-ended':
      return t('notice.meetingEnded');
  }
}
