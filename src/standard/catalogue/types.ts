// Shapes of the catalogue data (one definition per table, code lists).

export type FieldType = 'string' | 'number' | 'date' | 'datetime';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Maximum characters (for numbers: digits before the decimal point); null = unbounded. */
  maxLength: number | null;
  /** true = mandatory; 'conditional' = mandatory under a condition (rules.ts); false = optional. */
  required: boolean | 'conditional';
  /** Name of the code list in CODE_LISTS the value must come from. */
  codeList?: string;
  /** For string fields holding dates: the accepted formats (any of them). */
  formats?: ('date' | 'datetime')[];
  /** Several values separated by ';'. */
  list?: boolean;
  /** Changed or added by QĐ 4750. */
  changed4750?: boolean;
}

export interface TableDefData {
  code: string;
  title: string;
  /** Root element of the table document. */
  root: string;
  /** List element under the root (tables with many rows); null when the fields sit under the root. */
  list: string | null;
  /** Row element inside the list; null for one-row tables. */
  row: string | null;
  many: boolean;
  confidence: string;
  /** Fields in XML order, as of the current edition (QĐ 3176 for XML13). */
  fields: FieldDef[];
  /** XML13 only: the QĐ 4750 field order (superseded by 3176, still accepted). */
  fields4750?: FieldDef[];
}

export interface CodeListDef {
  codes: Record<string, string>;
  /** The list may be incomplete (the spec says so): a value outside it is a warning, not an error. */
  open: boolean;
  note?: string;
}
