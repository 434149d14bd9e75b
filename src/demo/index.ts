// Public surface of the demo module: the synthetic province generator (pure, deterministic from a
// seed), the bulk load path for scale benchmarks, and the one-command demo (`ssk demo`).
export {
  Rng,
  generateProvince,
  EncounterGenerator,
  ENCOUNTER_KINDS,
  toPackages,
  facilitiesCsv,
  practitionersCsv,
  personalIdFor,
  bhytCardFor,
  vnDateTime,
  vnDate,
  type Province,
  type ProvinceOptions,
  type District,
  type Facility,
  type FacilityLevel,
  type Practitioner,
  type Citizen,
  type Encounter,
  type EncounterKind,
  type EncounterOptions,
} from './generator.ts';
export { ICD10, DRUGS, SERVICES, SUPPLIES, LAB_TESTS, IMAGING, type CatalogueItem, type Indicator } from './data.ts';
export { bulkLoadDossiers, type BulkOptions, type BulkResult } from './bulk.ts';
