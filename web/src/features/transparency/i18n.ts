/** The `transparency` i18next namespace (this page, the receipt on the removal notice, the admin console's witness alarms). */
import i18next from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };

export const NAMESPACE = 'transparency';

export const transparencyResources = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans } as const;
export default transparencyResources;

/** Register the namespace if the app has not already (idempotent; the app's i18n is initialised first). */
export function ensureTransparencyI18n(): void {
  if (!(i18next as { store?: unknown }).store) return;
  for (const [lng, res] of Object.entries(transparencyResources)) {
    if (!i18next.hasResourceBundle(lng, NAMESPACE)) i18next.addResourceBundle(lng, NAMESPACE, res);
  }
}
