// The typed shape of the national standard's data, shared by every module.
// A row is the table's fields by their standard names (MA_LK, HO_TEN, ...) as the exact text
// written in the XML ('' when the element is empty). Numbers and dates stay text so that
// parse(build(x)) is exact; helpers in the catalogue convert them where arithmetic is needed.

/** XML0 is the check-in table (sent alone); XML12 the medical-assessment table (sent alone). */
export const TABLE_CODES = ['XML0', 'XML1', 'XML2', 'XML3', 'XML4', 'XML5', 'XML6', 'XML7', 'XML8', 'XML9', 'XML10', 'XML11', 'XML12', 'XML13', 'XML14', 'XML15'] as const;
export type TableCode = (typeof TABLE_CODES)[number];

export type Row = Record<string, string>;

/** One HOSO: one visit or stay, all its tables, keyed by MA_LK. XML1 holds exactly one row. */
export interface Dossier {
  tables: Partial<Record<TableCode, Row[]>>;
}

/** One GIAMDINHHS package. */
export interface Package {
  /** THONGTINDONVI/MACSKCB: the sending facility's 5-character code. */
  macskcb: string;
  /** THONGTINHOSO/NGAYLAP, yyyyMMdd. */
  ngayLap: string;
  dossiers: Dossier[];
}

/** Which standard edition the package follows (changes XML13 field order, endpoints). */
export type Edition = '4750' | '3176';
