// Public surface of the national XML standard (QĐ 130 / 4750 / 3176). Pure: no I/O.
export type { Package, Dossier, Row, TableCode, Edition } from './types.ts';
export { TABLE_CODES } from './types.ts';
export { TABLES, CODE_LISTS, OVERRIDES, PACKAGE_TABLES, DEFAULT_EDITION, fieldsOf, fieldDef, tableByRoot, codeName } from './catalogue/index.ts';
export type { TableDef, FieldDef, FieldType, CodeListDef } from './catalogue/index.ts';
export { STD } from './errors.ts';
export {
  parsePackage,
  readPackage,
  buildPackage,
  buildTableXml,
  parseTable,
  parseCheckIn,
  buildCheckIn,
  parseGdyk,
  buildGdyk,
  maLkOf,
  decodeBase64,
  DEFAULT_LIMITS,
} from './package.ts';
export type { ParseLimits, ParseOptions, BuildOptions, ReadResult } from './package.ts';
export { parseDateTime, tryParseDateTime, formatDateTime, isDateText } from './dates.ts';
export { validatePackage, validateBytes, validateRows, validateDocument, sniffKind } from './validate.ts';
export type { ValidateOptions, ValidationResult, DossierResult, DossierCheck, DocumentKind } from './validate.ts';
export * as rules from './rules.ts';
export { parseXml, hasDtd, isValidUtf8, XML_ERRORS, DEFAULT_XML_LIMITS } from './xml.ts';
export { catalogueCheck, catalogueFromRows, catalogueRowsFromXml, parseCsv, catalogueToCsv, parsePrice, parseCatalogueDate, normalizeHeader, CATALOGUE_HEADERS } from './facility-catalogue.ts';
export type { CatalogueEntry, CatalogueKind, FacilityCatalogue, CatalogueCheckOptions } from './facility-catalogue.ts';
export { ICD10, icd10Name, normalizeIcd10 } from './codes/index.ts';
export {
  CERTIFICATES, CERTIFICATE_KINDS, certificateKindByRoot, buildCertificateDoc, parseCertificateDoc, validateCertificateRow,
  type CertField, type CertDefinition, type CertificateKind,
} from './certificates.ts';
export type { Icd10Entry } from './codes/index.ts';
