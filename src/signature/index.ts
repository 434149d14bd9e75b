// Public surface of the signature module: enveloped XMLDSig of the standard's documents
// (package, check-in, GĐYK) and facility certificates. Pure: no I/O.
export { signXml, verifySignedXml, SIGNABLE_ROOTS, SIGNATURE_CONTAINER, DSIG_NS, ALG, DEFAULT_MAX_BYTES } from './xmldsig.ts';
export type { VerifyOptions, VerifyResult, VerifiedCertificate } from './xmldsig.ts';
export {
  certificateInfo,
  checkSigningCertificate,
  chainsToAnchor,
  readCertificates,
  toX509,
  signerFromPem,
  signerFromPkcs12,
  readPkcs12,
  toPkcs12,
  createDevCa,
  createDevCaSync,
  issueFacilityCertificate,
  issueFacilityCertificateSync,
} from './certs.ts';
export type { CertificateInfo, Signer, DevCa, IssuedCertificate, IssueOptions, TrustOptions } from './certs.ts';
export { SIG } from './errors.ts';
