// The health book: projection of accepted dossiers into each citizen's book, reads under consent
// with audit, the share feed with its 24-hour tracking, certificates, QR codes, FHIR export.
export { BOOK } from './errors.ts';
export { ENTRY_KINDS, KIND_LABELS, VISIT_KINDS, TABLE_PROJECTIONS, type EntryKind } from './kinds.ts';
export { projectDossier, entriesOf, type ProjectResult, type NewEntry } from './project.ts';
export { getBook, getEntry, recentResults, personOf, type Book, type BookEntry, type BookQuery, type Person } from './book.ts';
export { pullFeed, createFeedClient, feedClientFor, slaReport, addWebhook, signBody, SLA_MS, type FeedItem, type FeedPage, type SlaReport } from './feed.ts';
export { handlers } from './worker.ts';
export { parseVnTime } from './dates.ts';
export { verifyQr, signQr, qrFor, qrPublicKeys, gatewayQrKey, verifyShown, qrPayloadOf, keyIdOf, QR, QR_PREFIX, type QrPayload, type QrVerification } from './qr.ts';
export { receivePatient, type MatchInput, type MatchResult } from './match.ts';
export { CERTIFICATES, validateCertificate, receiveCertificate, projectCertificate, type CertDefinition, type CertField } from './certificates.ts';
export { exportFhir, bookToFhir } from './fhir.ts';
export { qList, qDate, qInt, qText, body as jsonBody } from './http.ts';
