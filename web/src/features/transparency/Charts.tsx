/** Minimal SVG charts for the report: bars per jurisdiction and a half-year timeline. */
import type { ReportRow } from '../../../../server/transparency/report.js';

interface Bar {
  label: string;
  a: number;
  b?: number;
}

function BarChart({ title, bars, legendA, legendB }: { title: string; bars: Bar[]; legendA: string; legendB?: string }) {
  const max = Math.max(1, ...bars.flatMap((b) => [b.a, b.b ?? 0]));
  const rowH = 22;
  const labelW = 70;
  const width = 420;
  const scale = (v: number): number => ((width - labelW - 40) * v) / max;
  const height = bars.length * rowH * (legendB ? 1.6 : 1) + 28;
  return (
    <figure className="tp-chart">
      <figcaption className="tp-chart-title">{title}</figcaption>
      <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width={width} height={height} className="tp-chart-svg">
        {bars.map((bar, i) => {
          const y = i * rowH * (legendB ? 1.6 : 1);
          return (
            <g key={bar.label} transform={`translate(0 ${y})`}>
              <text x={0} y={14} className="tp-chart-label">
                {bar.label}
              </text>
              <rect x={labelW} y={3} width={scale(bar.a)} height={12} className="tp-bar-a" />
              <text x={labelW + scale(bar.a) + 4} y={14} className="tp-chart-value">
                {bar.a}
              </text>
              {bar.b !== undefined && (
                <>
                  <rect x={labelW} y={17} width={scale(bar.b)} height={12} className="tp-bar-b" />
                  <text x={labelW + scale(bar.b) + 4} y={28} className="tp-chart-value">
                    {bar.b}
                  </text>
                </>
              )}
            </g>
          );
        })}
        <g transform={`translate(${labelW} ${height - 12})`} className="tp-legend">
          <rect width={10} height={10} className="tp-bar-a" />
          <text x={14} y={9}>
            {legendA}
          </text>
          {legendB && (
            <>
              <rect x={150} width={10} height={10} className="tp-bar-b" />
              <text x={164} y={9}>
                {legendB}
              </text>
            </>
          )}
        </g>
      </svg>
    </figure>
  );
}

/** One pair of bars per jurisdiction: demands, participants refused or removed. */
export function JurisdictionChart(props: { rows: ReportRow[]; title: string; legendDemands: string; legendAffected: string }) {
  const by = new Map<string, Bar>();
  for (const r of props.rows) {
    const bar = by.get(r.jurisdiction) ?? { label: r.jurisdiction, a: 0, b: 0 };
    bar.a += r.demandsReceived;
    bar.b = (bar.b ?? 0) + r.participantsRefused + r.participantsRemoved;
    by.set(r.jurisdiction, bar);
  }
  const bars = [...by.values()].sort((x, y) => y.a - x.a || x.label.localeCompare(y.label));
  return <BarChart title={props.title} bars={bars} legendA={props.legendDemands} legendB={props.legendAffected} />;
}

/** Demands received per half-year, as a column chart. */
export function TimelineChart(props: { rows: ReportRow[]; title: string }) {
  const by = new Map<string, number>();
  for (const r of props.rows) by.set(r.period, (by.get(r.period) ?? 0) + r.demandsReceived);
  const periods = [...by.keys()].sort();
  const max = Math.max(1, ...by.values());
  const colW = 56;
  const h = 140;
  const width = Math.max(420, periods.length * colW + 20);
  return (
    <figure className="tp-chart">
      <figcaption className="tp-chart-title">{props.title}</figcaption>
      <svg role="img" aria-label={props.title} viewBox={`0 0 ${width} ${h + 30}`} width={width} height={h + 30} className="tp-chart-svg">
        {periods.map((p, i) => {
          const v = by.get(p) ?? 0;
          const bh = (h - 20) * (v / max);
          return (
            <g key={p} transform={`translate(${10 + i * colW} 0)`}>
              <rect x={8} y={h - bh} width={colW - 16} height={bh} className="tp-bar-a" />
              <text x={colW / 2} y={h - bh - 4} textAnchor="middle" className="tp-chart-value">
                {v}
              </text>
              <text x={colW / 2} y={h + 16} textAnchor="middle" className="tp-chart-label">
                {p}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
