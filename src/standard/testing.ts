// Test helpers for every module: typed fixture builders (valid and invalid) from the catalogue.
export { validDossier, validPackage, validCheckInRows, validGdykRows, syntheticCatalogue } from './fixtures.ts';
export type { DossierOptions, PackageOptions } from './fixtures.ts';
export { invalidVariants } from './invalid.ts';
export type { InvalidVariant } from './invalid.ts';
