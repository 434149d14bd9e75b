// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF/LF, optional BOM, comma or
// semicolon delimiter detected from the header) with size limits.
import { ProblemError } from '../errors/index.ts';
import { REG } from './errors.ts';

export const CSV_MAX_BYTES = 5 * 1024 * 1024;
export const CSV_MAX_ROWS = 50_000;
const MAX_FIELD = 4096;

/** Parse CSV text into records keyed by the (lower-cased, trimmed) header names; each with its line number. */
export function parseCsv(text: string, opts: { maxRows?: number } = {}): { header: string[]; rows: { line: number; values: Record<string, string> }[] } {
  const maxRows = opts.maxRows ?? CSV_MAX_ROWS;
  if (Buffer.byteLength(text, 'utf8') > CSV_MAX_BYTES) throw ProblemError.of(REG.REG_CSV_TOO_LARGE, 'csv', { limit: maxRows });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delim = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = 0;
  const endCell = () => {
    if (cell.length > MAX_FIELD) throw ProblemError.of(REG.REG_CSV_INVALID, `line[${line}]`, { detail: `field longer than ${MAX_FIELD}` });
    cells.push(cell);
    cell = '';
  };
  const endRecord = () => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: startLine, cells });
    if (records.length > maxRows + 1) throw ProblemError.of(REG.REG_CSV_TOO_LARGE, 'csv', { limit: maxRows });
    cells = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      i++;
    } else if (c === delim) {
      endCell();
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      i++;
    } else if (c === '\n') {
      endRecord();
      line++;
      startLine = line;
      i++;
    } else {
      cell += c;
      i++;
    }
  }
  if (quoted) throw ProblemError.of(REG.REG_CSV_INVALID, `line[${startLine}]`, { detail: 'unterminated quote' });
  if (cell !== '' || cells.length) endRecord();
  if (!records.length) throw ProblemError.of(REG.REG_CSV_INVALID, 'csv', { detail: 'no header row' });
  const header = records[0].cells.map((h) => h.trim().toLowerCase());
  const rows = records.slice(1).map((r) => {
    if (r.cells.length !== header.length) throw ProblemError.of(REG.REG_CSV_INVALID, `line[${r.line}]`, { detail: `${r.cells.length} columns, header has ${header.length}` });
    const values: Record<string, string> = {};
    header.forEach((h, k) => (values[h] = r.cells[k].trim()));
    return { line: r.line, values };
  });
  return { header, rows };
}
