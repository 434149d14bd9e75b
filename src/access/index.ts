// Access: consent grants, the audit of every book read, request authentication.
// Sign-in, sessions and roles live in ./identity (its own public surface).
export { ACC } from './errors.ts';
export { type Actor, type Role, actorId, PERSONAL_ID } from './actor.ts';
export { writeAudit, writeAuditMany, auditFor, type AuditInput, type AuditRow } from './audit.ts';
export {
  grantConsent, claimConsent, revokeConsent, listConsents, consentsHeldBy, checkConsent, hashCode,
  type Consent, type Scope, type Grantee, type GrantInput, type ReadRequest, type ConsentCheck,
} from './consent.ts';
export { authenticate, requireActor, bearer, actorFromPrincipal, credentialOf } from './auth.ts';
