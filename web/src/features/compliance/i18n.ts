/** The 'policy' namespace (compliance console, admin page, restrictions editor), registered on import. */
import i18n from '../../i18n/i18n.js';
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };

export const resources = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans };
export default resources;
export { en, zhHant, zhHans };

for (const [lang, bundle] of Object.entries(resources)) {
  if (!i18n.hasResourceBundle(lang, 'policy')) i18n.addResourceBundle(lang, 'policy', bundle, true, false);
}
