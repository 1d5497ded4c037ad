/** Each page names itself in the tab and to a screen reader arriving on it (WCAG 2.4.2). */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** `page · Parley`; null leaves the title to a component further down. */
export function useDocumentTitle(page: string | null): void {
  const { t } = useTranslation();
  const app = t('app.name');
  useEffect(() => {
    if (page === null) return;
    document.title = page === app ? app : `${page} · ${app}`;
  }, [page, app]);
}
