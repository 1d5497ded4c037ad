/** The `transparency` i18next namespace, for the UI engineer to register. */
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };

export const NAMESPACE = 'transparency';

export const transparencyResources = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans } as const;
export default transparencyResources;
