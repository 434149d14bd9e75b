// Rendering a health book (the healthbook module's entries) for the citizen or a doctor.
import { html, type SafeHtml } from './html.ts';
import { fmtDateTime, fmtStdDate, tr } from './i18n.ts';
import type { PageCtx } from './context.ts';

export interface BookEntryView {
  id?: number | string;
  kind?: string;
  title?: string;
  at?: string | Date;
  macskcb?: string;
  facilityName?: string;
  data?: Record<string, unknown>;
  [k: string]: unknown;
}

const KIND_NAMES: Record<string, [string, string]> = {
  visit: ['Lượt khám / điều trị', 'Visit or stay'],
  diagnosis: ['Chẩn đoán', 'Diagnosis'],
  medicine: ['Thuốc', 'Medicine'],
  service: ['Dịch vụ kỹ thuật', 'Service'],
  result: ['Kết quả cận lâm sàng', 'Test result'],
  lab: ['Kết quả xét nghiệm', 'Lab result'],
  referral: ['Giấy chuyển tuyến', 'Referral'],
  appointment: ['Giấy hẹn khám lại', 'Re-examination appointment'],
  discharge: ['Giấy ra viện', 'Discharge paper'],
  birth: ['Giấy chứng sinh', 'Birth certificate'],
  death: ['Giấy báo tử', 'Death notice'],
};

export function kindName(ctx: PageCtx, kind: string | undefined): string {
  const k = KIND_NAMES[kind ?? ''];
  return k ? tr(ctx.lang, k[0], k[1]) : kind ?? '';
}

function entriesOf(book: unknown): BookEntryView[] {
  if (Array.isArray(book)) return book as BookEntryView[];
  if (book && typeof book === 'object') {
    const b = book as Record<string, unknown>;
    for (const k of ['entries', 'items', 'timeline']) if (Array.isArray(b[k])) return b[k] as BookEntryView[];
    if (b.book) return entriesOf(b.book);
  }
  return [];
}

function dataList(data: Record<string, unknown> | undefined): SafeHtml {
  if (!data) return html``;
  const items = Object.entries(data).filter(([, v]) => v !== '' && v !== null && v !== undefined && typeof v !== 'object');
  if (!items.length) return html``;
  return html`<dl class="meta">${items.slice(0, 30).map(([k, v]) => html`<dt>${k}</dt><dd>${/NGAY/.test(k) ? fmtStdDate(String(v)) : String(v)}</dd>`)}</dl>`;
}

/** A book as a timeline: each entry a card with its kind, date, facility and details. */
export async function bookView(ctx: PageCtx, book: unknown, _o: { forDoctor?: boolean } = {}): Promise<SafeHtml> {
  const L = ctx.lang;
  const entries = entriesOf(book);
  if (!entries.length) return html`<p>${tr(L, 'Sổ chưa có mục nào.', 'The book has no entries yet.')}</p>`;
  return html`<ol class="cards" aria-label="${tr(L, 'Dòng thời gian', 'Timeline')}">${entries.map(
    (e) => html`<li class="card"><h3>${kindName(ctx, e.kind)}${e.title ? html`: ${e.title}` : ''}</h3>
<p class="meta">${fmtDateTime(L, e.at as string)}${e.facilityName || e.macskcb ? html` · ${e.facilityName ?? ''} ${e.macskcb ? html`(<code>${e.macskcb}</code>)` : ''}` : ''}</p>
${dataList(e.data)}</li>`,
  )}</ol>`;
}
