/**
 * The admin console's witness alarms: each configured witness (what it last cosigned, its alarm
 * count) and the latest alarms, newest first. A witness that stops cosigning is either down or
 * was shown a checkpoint it would not sign; both need an operator's attention.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WitnessesResponse } from '../../../../server/transparency/witness-status.js';
import { TableRegion } from '../../components/TableRegion.js';
import { ensureTransparencyI18n, NAMESPACE } from '../transparency/i18n.js';
import { fetchWitnesses } from '../transparency/witness-pin.js';
import '../transparency/transparency.css';

ensureTransparencyI18n();

const REFRESH_MS = 10_000;

export function WitnessAlarms() {
  const { t, i18n } = useTranslation(NAMESPACE);
  const [data, setData] = useState<WitnessesResponse | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const load = (): void => void fetchWitnesses().then((w) => live && setData(w));
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (data === undefined) return null;
  return (
    <section className="pl-card" data-testid="witness-alarms">
      <h2>{t('alarms.heading')}</h2>
      {!data || data.witnesses.length === 0 ? (
        <p>{t('alarms.noWitnesses')}</p>
      ) : (
        <>
          <TableRegion className="pl-table-wrap" label={t('alarms.heading')}>
            <table className="pl-table">
              <thead>
                <tr>
                  <th>{t('alarms.witness')}</th>
                  <th>{t('alarms.cosigned')}</th>
                  <th>{t('alarms.count')}</th>
                </tr>
              </thead>
              <tbody>
                {data.witnesses.map((w) => (
                  <tr key={w.key} data-testid="witness-row" data-alarms={w.alarms}>
                    <td>{w.name}</td>
                    <td>{w.cosignedSize}</td>
                    <td>{w.alarms}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          {data.alarms.length === 0 ? (
            <p data-testid="alarms-none">{t('alarms.none')}</p>
          ) : (
            <>
              <p role="alert" className="pl-error">
                {t('alarms.raised', { count: data.alarms.length })}
              </p>
              <ul className="tp-alarm-list" data-testid="alarm-list">
                {data.alarms.map((a, i) => (
                  <li key={`${a.at}-${a.witness}-${i}`} data-testid="alarm-row" data-reason={a.reason}>
                    <strong>{a.witness}</strong> · {t(`alarms.reasons.${a.reason}`)} · <small>{new Date(a.at).toLocaleString(i18n.language)}</small>
                    <br />
                    <small className="tp-mono">{a.message}</small>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
