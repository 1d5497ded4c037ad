/** The 'security' i18n namespace; call registerSecurityI18n(i18n) once at start-up. */
import type { i18n as I18n } from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };

export const SECURITY_NS = 'security';
export const securityResources = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans } as const;

export function registerSecurityI18n(i18n: I18n): void {
  for (const [lang, res] of Object.entries(securityResources)) i18n.addResourceBundle(lang, SECURITY_NS, res, true, false);
}
