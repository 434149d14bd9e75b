-- Consent grants and the audit of every book read.
CREATE TABLE consent_grant (
  id              bigserial PRIMARY KEY,
  personal_id     text NOT NULL,
  grantee_kind    text NOT NULL CHECK (grantee_kind IN ('facility', 'doctor', 'any')),
  grantee_macskcb text,
  grantee_doctor  text,
  purpose         text NOT NULL,
  scope_kind      text NOT NULL CHECK (scope_kind IN ('whole', 'since', 'kinds')),
  scope_since     timestamptz,
  scope_kinds     text[],
  issued_at       timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  code_hash       text UNIQUE,
  code_expires_at timestamptz,
  claimed_at      timestamptz,
  claimed_by      text
);
CREATE INDEX consent_grant_person ON consent_grant (personal_id, expires_at);

CREATE TABLE book_audit (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  personal_id   text NOT NULL,
  actor_role    text NOT NULL,
  actor_id      text NOT NULL,
  actor_macskcb text,
  action        text NOT NULL,
  purpose       text,
  consent_id    bigint,
  outcome       text NOT NULL CHECK (outcome IN ('allowed', 'refused')),
  reason        text,
  entry_count   integer NOT NULL DEFAULT 0,
  detail        jsonb
);
CREATE INDEX book_audit_person ON book_audit (personal_id, at DESC);
