/**
 * The one i18next instance. Features add their own namespaces with
 * `i18n.addResourceBundle(lang, 'myFeature', resources)`.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json' with { type: 'json' };
import zhHans from './locales/zh-Hans.json' with { type: 'json' };
import zhHant from './locales/zh-Hant.json' with { type: 'json' };
import { LANGUAGES, STORAGE_KEY, detectLanguage, type Language } from './detect.js';

export { LANGUAGES, type Language } from './detect.js';

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages.length > 0 ? navigator.languages : [navigator.language];
}

const initial = detectLanguage(browserLanguages(), readStored());

void i18n.use(initReactI18next).init({
  resources: {
    en: { translation: en },
    'zh-Hant': { translation: zhHant },
    'zh-Hans': { translation: zhHans },
  },
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  load: 'currentOnly',
  interpolation: { escapeValue: false },
  returnNull: false,
});

function applyToDocument(lang: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
applyToDocument(initial);
i18n.on('languageChanged', applyToDocument);

/** Switch language and remember the choice on this device. */
export function setLanguage(lang: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  void i18n.changeLanguage(lang);
}

export default i18n;
