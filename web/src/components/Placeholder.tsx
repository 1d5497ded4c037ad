import { useTranslation } from 'react-i18next';

/** A page that says plainly it is not built yet. */
export function Placeholder({ title, body }: { title: string; body: string }) {
  const { t } = useTranslation();
  return (
    <main id="main" className="page narrow">
      <h1>{title}</h1>
      <p className="badge">{t('app.comingSoon')}</p>
      <p>{body}</p>
    </main>
  );
}
