/** Pure language choice, kept apart from i18next so it can be unit-tested. */
export const LANGUAGES = ['en', 'zh-Hant', 'zh-Hans'] as const;
export type Language = (typeof LANGUAGES)[number];
export const STORAGE_KEY = 'parley.lang';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Map one BCP 47 tag to a supported language, or null when we have no catalog for it. */
export function mapTag(tag: string): Language | null {
  const t = tag.toLowerCase().replace(/_/g, '-');
  if (t === 'zh' || t.startsWith('zh-')) {
    const parts = t.split('-');
    // An explicit script subtag decides; otherwise the region does.
    if (parts.includes('hans')) return 'zh-Hans';
    if (parts.includes('hant') || parts.some((p) => p === 'tw' || p === 'hk' || p === 'mo')) return 'zh-Hant';
    return 'zh-Hans';
  }
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/**
 * The stored choice wins; otherwise the first browser language we have a catalog for;
 * otherwise English.
 */
export function detectLanguage(browserLanguages: readonly string[], stored: string | null): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const lang = mapTag(tag);
    if (lang) return lang;
  }
  return 'en';
}
