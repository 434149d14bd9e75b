// Public surface of the gateway module.
export { buildGateway, startGateway, gatewayContext, type GatewayContext, type BuildOptions, type StartOptions, type RunningGateway } from './app.ts';
export { DEFAULT_CONFIG, resolveConfig, type GatewayConfig } from './config.ts';
export { GW } from './errors.ts';
export {
  addFacility,
  getFacility,
  listFacilities,
  setFacilityStatus,
  setFacadeLogin,
  checkFacadeLogin,
  issueToken,
  rotateToken,
  revokeToken,
  listTokens,
  authenticate,
  readCertificate,
  registerCertificate,
  replaceCertificate,
  revokeCertificate,
  listCertificates,
  certView,
  md5Upper,
  type FacilityAccount,
  type TokenInfo,
  type Principal,
  type CertificateRecord,
} from './accounts.ts';
export { canonicalJson, signReceipt, verifyReceipt, loadReceiptKey, receiptKeyFromPem, type Receipt, type UnsignedReceipt, type DossierResult, type ReceiptKey } from './receipt.ts';
export { submitPackage, submitCheckin, submitGdyk, ID_METHODS, type SubmitInput, type SubmitResult, type IdMethod } from './pipeline.ts';
export { packageReceipt, packageOriginal, dossierVersions, listPackages, reconciliation, parsePeriod, type Reconciliation, type PackageSummary, type DossierVersion } from './queries.ts';
export { openapi } from './openapi.ts';
export { submitCertificate } from './certificates.ts';
