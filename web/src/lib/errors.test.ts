import i18n from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../i18n/locales/en.json' with { type: 'json' };
import zhHant from '../i18n/locales/zh-Hant.json' with { type: 'json' };
import { ApiError } from './api.js';
import { errorText, noticeFromError, noticeText } from './errors.js';

const t = i18n.t.bind(i18n);
beforeAll(async () => {
  await i18n.init({
    lng: 'en',
    resources: { en: { translation: en }, 'zh-Hant': { translation: zhHant } },
    interpolation: { escapeValue: false },
  });
});

describe('removal notices', () => {
  it('tells a participant the host removed them', () => {
    expect(noticeText(t, { kind: 'host' })).toBe('You were removed from this meeting by the host.');
  });
  it('names the authority and jurisdiction of a legal demand', () => {
    expect(noticeText(t, { kind: 'legal', authority: 'Cyberspace Administration', jurisdiction: 'CN', demandId: 17 })).toBe(
      'You were removed because of a legal demand from Cyberspace Administration (CN) that applies to your location.',
    );
  });
  it('says only "a legal restriction" when a gag withholds the authority', () => {
    expect(noticeText(t, { kind: 'legal', jurisdiction: 'CN' })).toBe('You were removed because of a legal restriction that applies to your location.');
  });
  it('names the country for a location restriction', () => {
    expect(noticeText(t, { kind: 'location', country: 'HK' })).toBe('This meeting is not available from your location (HK).');
  });
  it('says the host ended the meeting', () => {
    expect(noticeText(t, { kind: 'meeting-ended' })).toBe('The host ended the meeting.');
  });
  it('reads naturally in Traditional Chinese', async () => {
    await i18n.changeLanguage('zh-Hant');
    expect(noticeText(t, { kind: 'legal', authority: '香港警務處', jurisdiction: 'HK' })).toContain('香港警務處（HK）');
    await i18n.changeLanguage('en');
  });
});

describe('join refusals', () => {
  it('turns LEGAL_RESTRICTION details into a legal notice', () => {
    const err = new ApiError('LEGAL_RESTRICTION', 'x', 451, { authority: 'A', jurisdiction: 'CN', demandId: 3 });
    expect(noticeFromError(err)).toEqual({ kind: 'legal', authority: 'A', jurisdiction: 'CN', demandId: 3 });
    expect(errorText(t, err)).toBe('You cannot join because of a legal demand from A (CN) that applies to your location.');
  });
  it('keeps the gagged form when no authority is given', () => {
    const err = new ApiError('LEGAL_RESTRICTION', 'x', 451, { jurisdiction: 'CN' });
    expect(errorText(t, err)).toBe('You cannot join because of a legal restriction that applies to your location.');
  });
  it('turns LOCATION_RESTRICTED into a location notice with the country', () => {
    const err = new ApiError('LOCATION_RESTRICTED', 'x', 451, { country: 'MO' });
    expect(noticeFromError(err)).toEqual({ kind: 'location', country: 'MO' });
    expect(errorText(t, err)).toBe('This meeting is not available from your location (MO).');
  });
  it('translates known codes and falls back to a generic message', () => {
    expect(errorText(t, new ApiError('WRONG_PASSCODE'))).toBe('That passcode is not correct.');
    expect(errorText(t, new ApiError('SOMETHING_NEW'))).toBe('Something went wrong. Please try again.');
    expect(errorText(t, new Error('boom'))).toBe('Something went wrong. Please try again.');
  });
});
