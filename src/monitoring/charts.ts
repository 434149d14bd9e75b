// Server-side SVG charts (no script, no external resources): bar, line and stacked share.
// Accessible: role="img", <title> and <desc>, axis labels and value labels as text, and a
// data table the page can show beside the chart (chartTable).
import { ProblemError } from '../errors/index.ts';
import { MON } from './errors.ts';

export interface ChartSeries {
  name: string;
  values: (number | null)[];
  /** CSS colour; defaults to a colour-blind-safe palette. */
  color?: string;
}

export interface ChartSpec {
  type: 'bar' | 'line' | 'stacked';
  title: string;
  /** Longer description for screen readers. */
  desc?: string;
  labels: string[];
  series: ChartSeries[];
  width?: number;
  height?: number;
  /** Format of axis and value labels: 'number' (default) or 'percent' (values 0..1). */
  format?: 'number' | 'percent';
  /** A horizontal target line (same unit as the values), e.g. 0.8 for the VNeID target. */
  target?: { value: number; label: string };
  yLabel?: string;
}

const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999', '#882255', '#44AA99', '#332288'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmt(v: number, f: ChartSpec['format']): string {
  if (f === 'percent') return `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)}%`;
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function check(spec: ChartSpec): void {
  const ok =
    spec && ['bar', 'line', 'stacked'].includes(spec.type) && typeof spec.title === 'string' && Array.isArray(spec.labels) && Array.isArray(spec.series) &&
    spec.labels.length <= 400 && spec.series.length >= 1 && spec.series.length <= 12 &&
    spec.series.every((s) => Array.isArray(s.values) && s.values.length === spec.labels.length && s.values.every((v) => v === null || Number.isFinite(v)));
  if (!ok) throw ProblemError.of(MON.MON_BAD_CHART, 'chart');
}

/** Render a chart as a standalone SVG string. */
export function renderChart(spec: ChartSpec): string {
  check(spec);
  const W = Math.max(240, Math.min(2000, spec.width ?? 720));
  const H = Math.max(160, Math.min(1200, spec.height ?? 320));
  const m = { top: 36, right: 16, bottom: 56, left: 56 };
  const legendH = spec.series.length > 1 ? 18 : 0;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom - legendH;
  const n = spec.labels.length;
  const colors = spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  const id = `c${Math.abs(hash(spec.title + n)).toString(36)}`;
  let max: number;
  if (spec.type === 'stacked') max = spec.format === 'percent' ? 1 : niceMax(Math.max(0, ...spec.labels.map((_, i) => spec.series.reduce((a, s) => a + (s.values[i] ?? 0), 0))));
  else max = niceMax(Math.max(0, spec.target?.value ?? 0, ...spec.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  if (spec.format === 'percent' && spec.type !== 'stacked') max = Math.max(max, 1) === max && max <= 1 ? 1 : max;
  const y = (v: number) => m.top + ph - (v / max) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${id}-t ${id}-d" font-family="sans-serif" font-size="11">`);
  out.push(`<title id="${id}-t">${esc(spec.title)}</title>`);
  const desc = spec.desc ?? `${spec.title}: ${spec.series.map((s) => `${s.name} — ${spec.labels.map((l, i) => `${l}: ${s.values[i] === null ? '—' : fmt(s.values[i] as number, spec.format)}`).join(', ')}`).join('; ')}`;
  out.push(`<desc id="${id}-d">${esc(desc.slice(0, 4000))}</desc>`);
  out.push(`<text x="${m.left}" y="20" font-size="14" font-weight="bold">${esc(spec.title)}</text>`);
  // grid and y axis
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${fmt(v, spec.format)}</text>`);
  }
  if (spec.yLabel) out.push(`<text transform="translate(12 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  const step = n ? pw / n : pw;
  const every = Math.max(1, Math.ceil(n / 16));
  spec.labels.forEach((l, i) => {
    if (i % every) return;
    const x = m.left + step * (i + 0.5);
    out.push(`<text x="${x.toFixed(1)}" y="${m.top + ph + 14}" text-anchor="middle">${esc(l.length > 12 ? l.slice(0, 11) + '…' : l)}</text>`);
  });
  if (spec.type === 'bar') {
    const k = spec.series.length;
    const bw = (step * 0.8) / k;
    spec.series.forEach((s, si) =>
      s.values.forEach((v, i) => {
        if (v === null) return;
        const x = m.left + step * i + step * 0.1 + bw * si;
        out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(m.top + ph - y(v)).toFixed(1)}" fill="${colors[si]}"><title>${esc(`${s.name}, ${spec.labels[i]}: ${fmt(v, spec.format)}`)}</title></rect>`);
        if (n * k <= 24) out.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(v, spec.format)}</text>`);
      }),
    );
  } else if (spec.type === 'line') {
    spec.series.forEach((s, si) => {
      const pts = s.values.map((v, i) => (v === null ? null : `${(m.left + step * (i + 0.5)).toFixed(1)},${y(v).toFixed(1)}`));
      const segs: string[][] = [[]];
      for (const p of pts) p === null ? segs.push([]) : segs[segs.length - 1].push(p);
      for (const seg of segs) if (seg.length) out.push(`<polyline fill="none" stroke="${colors[si]}" stroke-width="2" points="${seg.join(' ')}"/>`);
      pts.forEach((p, i) => {
        if (p === null) return;
        const [cx, cy] = p.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${colors[si]}"><title>${esc(`${s.name}, ${spec.labels[i]}: ${fmt(s.values[i] as number, spec.format)}`)}</title></circle>`);
      });
    });
  } else {
    const bw = step * 0.8;
    spec.labels.forEach((l, i) => {
      const total = spec.series.reduce((a, s) => a + (s.values[i] ?? 0), 0);
      let acc = 0;
      spec.series.forEach((s, si) => {
        const raw = s.values[i] ?? 0;
        const v = spec.format === 'percent' ? (total ? raw / total : 0) : raw;
        const y0 = y(acc);
        const y1 = y(acc + v);
        acc += v;
        if (v <= 0) return;
        out.push(`<rect x="${(m.left + step * i + step * 0.1).toFixed(1)}" y="${y1.toFixed(1)}" width="${bw.toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${colors[si]}"><title>${esc(`${s.name}, ${l}: ${fmt(v, spec.format)}`)}</title></rect>`);
      });
    });
  }
  if (spec.target) {
    const ty = y(spec.target.value).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${ty}" y2="${ty}" stroke="#D55E00" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    out.push(`<text x="${m.left + pw}" y="${Number(ty) - 4}" text-anchor="end" fill="#D55E00">${esc(spec.target.label)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/><line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`);
  if (legendH) {
    let x = m.left;
    const ly = H - 10;
    spec.series.forEach((s, si) => {
      out.push(`<rect x="${x}" y="${ly - 9}" width="10" height="10" fill="${colors[si]}"/><text x="${x + 14}" y="${ly}">${esc(s.name)}</text>`);
      x += 24 + Math.min(160, s.name.length * 6.5);
    });
  }
  out.push('</svg>');
  return out.join('');
}

/** The same data as an HTML table (for screen readers and copy/paste beside the chart). */
export function chartTable(spec: ChartSpec): string {
  check(spec);
  const head = `<tr><th scope="col"></th>${spec.series.map((s) => `<th scope="col">${esc(s.name)}</th>`).join('')}</tr>`;
  const rows = spec.labels.map((l, i) => `<tr><th scope="row">${esc(l)}</th>${spec.series.map((s) => `<td>${s.values[i] === null ? '—' : fmt(s.values[i] as number, spec.format)}</td>`).join('')}</tr>`);
  return `<table><caption>${esc(spec.title)}</caption><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
