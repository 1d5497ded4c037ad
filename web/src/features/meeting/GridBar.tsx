import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { PAGE_SIZES, type PageSize } from './page-size.js';

/**
 * Under the grid: how many tiles a page holds (shown once there are more people than the
 * smallest page) and, with more than one page, the pager.
 */
export function GridBar(props: { people: number; page: number; pages: number; size: PageSize; onPage: (page: number) => void; onSize: (n: PageSize) => void }) {
  const { t } = useTranslation();
  const selectId = useId();
  const { page, pages } = props;
  if (props.people <= PAGE_SIZES[0] && pages <= 1) return null;
  return (
    <div className="grid-bar" data-testid="grid-bar">
      <span className="grid-size">
        <label htmlFor={selectId}>{t('meeting.tilesPerPage')}</label>
        <select id={selectId} value={props.size} onChange={(e) => props.onSize(Number(e.target.value) as PageSize)} data-testid="tiles-per-page">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </span>
      {pages > 1 && (
        <nav className="grid-pager" aria-label={t('meeting.pages')}>
          <button type="button" className="btn btn-ghost btn-small" disabled={page === 0} onClick={() => props.onPage(page - 1)} data-testid="page-prev">
            {t('meeting.prevPage')}
          </button>
          <span aria-live="polite" data-testid="page-of">
            {t('meeting.pageOf', { page: page + 1, pages })}
          </span>
          <button type="button" className="btn btn-ghost btn-small" disabled={page >= pages - 1} onClick={() => props.onPage(page + 1)} data-testid="page-next">
            {t('meeting.nextPage')}
          </button>
        </nav>
      )}
    </div>
  );
}
