// Code lists beyond the catalogue's field lists.
export { ICD10, icd10Name, normalizeIcd10 } from './icd10.ts';
export type { Icd10Entry } from './icd10.ts';
