// Registries: facilities (codes, issuing codes), pharmacies, practitioners, facility certificates.
export { REG } from './errors.ts';
export { parseCsv, CSV_MAX_BYTES, CSV_MAX_ROWS } from './csv.ts';
export {
  KINDS, kindOf, validateRecord, upsert, get, list, issueFacilityCode, importCsv, exportCsv, facilityCertificates,
  type RegistryKind, type ListFilter, type ImportResult, type CertificateView, type CertificateStatus,
} from './registry.ts';
