// The citizen's book as a PDF (pdfkit). Vietnamese needs a Unicode font: DejaVu Sans from the
// system (Debian fonts-dejavu-core); without it the built-in Helvetica is used (ASCII only).
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { fmtDateTime, fmtStdDate, tr, type Lang } from './i18n.ts';

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu'];

function font(name: string): string | null {
  for (const d of FONT_DIRS) {
    const p = `${d}/${name}`;
    if (existsSync(p)) return p;
  }
  return null;
}

export interface PdfBook {
  person: { fullName?: string; birth?: string } | null;
  entries: { kind: string; title: string; macskcb: string; occurredAt: Date | string | null; data: Record<string, any> }[];
}

const MAX_ENTRIES = 2000;

export function bookPdf(lang: Lang, book: PdfBook, labels: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: tr(lang, 'Sổ sức khỏe điện tử', 'Electronic health book') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const regular = font('DejaVuSans.ttf');
    const bold = font('DejaVuSans-Bold.ttf');
    if (regular) doc.registerFont('body', regular);
    if (bold) doc.registerFont('bold', bold);
    const use = (f: 'body' | 'bold') => doc.font(f === 'bold' ? (bold ? 'bold' : 'Helvetica-Bold') : regular ? 'body' : 'Helvetica');
    use('bold').fontSize(18).text(tr(lang, 'Sổ sức khỏe điện tử', 'Electronic health book'));
    use('body').fontSize(11);
    if (book.person) doc.text(`${book.person.fullName ?? ''}${book.person.birth ? ` — ${tr(lang, 'ngày sinh', 'born')} ${fmtStdDate(book.person.birth)}` : ''}`);
    doc.text(`${tr(lang, 'Xuất lúc', 'Exported')} ${fmtDateTime(lang, new Date())}`).moveDown();
    for (const e of book.entries.slice(0, MAX_ENTRIES)) {
      if (e.kind === 'admin') continue;
      use('bold').fontSize(11).text(`${labels[e.kind] ?? e.kind}: ${e.title}`);
      use('body').fontSize(9).fillColor('#333').text(`${fmtDateTime(lang, e.occurredAt)} · ${e.macskcb}`).fillColor('#000');
      const kv = Object.entries(e.data ?? {}).filter(([, v]) => v !== '' && v != null && typeof v !== 'object').slice(0, 12);
      if (kv.length) doc.fontSize(9).text(kv.map(([k, v]) => `${k}: ${/NGAY/.test(k) ? fmtStdDate(String(v)) : String(v)}`).join(' · '));
      doc.moveDown(0.5);
    }
    if (book.entries.length > MAX_ENTRIES) doc.text(tr(lang, `… còn ${book.entries.length - MAX_ENTRIES} mục`, `… ${book.entries.length - MAX_ENTRIES} more entries`));
    doc.end();
  });
}
