import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n/i18n.js';
import { isLanguage } from '../i18n/detect.js';

/** A native <select>: keyboard- and screen-reader-friendly on every phone. */
export function LanguageMenu() {
  const { t, i18n } = useTranslation();
  const current = isLanguage(i18n.language) ? i18n.language : 'en';
  return (
    <label className="lang-menu">
      <span className="visually-hidden">{t('nav.language')}</span>
      <span aria-hidden="true" className="icon icon-globe lang-icon" />
      <select data-testid="language-select" aria-label={t('nav.language')} value={current} onChange={(e) => setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
