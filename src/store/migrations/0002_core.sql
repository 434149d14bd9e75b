-- Core tables shared by the gateway (writer), the health book, monitoring and the web pages
-- (readers). Append-only where it is evidence: package_archive and dossier rows are never
-- updated in their content and never deleted; a replacement is a new dossier version.

-- A facility that sends (its account on the gateway). The registry (src/registry) keeps the
-- full facility record; this is the sending account, keyed by the facility code MACSKCB.
CREATE TABLE facility_account (
  macskcb       text PRIMARY KEY,
  name          text NOT NULL,
  province      text NOT NULL DEFAULT '',
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  -- national facade login (token/take): username and the scrypt hash of the upper-case MD5 of the password
  username      text UNIQUE,
  password_hash text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_token (
  id          bigserial PRIMARY KEY,
  macskcb     text NOT NULL REFERENCES facility_account (macskcb),
  name        text NOT NULL DEFAULT '',
  token_hash  text NOT NULL UNIQUE,      -- SHA-256 hex of the secret; the secret is shown once
  scopes      text[] NOT NULL DEFAULT ARRAY['submit', 'read'],
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX api_token_facility ON api_token (macskcb);

-- The facility's signing certificates, with history: a new registration does not erase the old.
CREATE TABLE facility_certificate (
  id            bigserial PRIMARY KEY,
  macskcb       text NOT NULL REFERENCES facility_account (macskcb),
  fingerprint   text NOT NULL,          -- SHA-256 of the DER, hex lower-case
  subject       text NOT NULL,
  issuer        text NOT NULL,
  serial        text NOT NULL,
  not_before    timestamptz NOT NULL,
  not_after     timestamptz NOT NULL,
  der           bytea NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  revoke_reason text,
  UNIQUE (macskcb, fingerprint)
);

-- Every package received (accepted or rejected), as the exact bytes: the legal evidence.
CREATE TABLE package_archive (
  id           bigserial PRIMARY KEY,
  sha256       text NOT NULL UNIQUE,     -- hex of the exact bytes received
  macskcb      text NOT NULL,
  kind         text NOT NULL DEFAULT 'dossier' CHECK (kind IN ('dossier', 'checkin', 'gdyk')),
  edition      text NOT NULL DEFAULT '4750',
  bytes        bytea NOT NULL,
  size         integer NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL CHECK (status IN ('accepted', 'rejected', 'partial')),
  certificate_id bigint REFERENCES facility_certificate (id),
  signed_at    timestamptz,
  receipt      jsonb NOT NULL            -- the signed receipt returned to the facility
);
CREATE INDEX package_archive_facility_time ON package_archive (macskcb, received_at);

-- One row per accepted dossier version (HOSO). tables = the Dossier's tables as parsed.
CREATE TABLE dossier (
  id            bigserial PRIMARY KEY,
  package_id    bigint NOT NULL REFERENCES package_archive (id),
  macskcb       text NOT NULL,
  ma_lk         text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  replaces_id   bigint REFERENCES dossier (id),
  current       boolean NOT NULL DEFAULT true,   -- false once replaced (the only column ever updated)
  personal_id   text,                            -- XML1.SO_CCCD: 12-digit personal ID when present
  bhyt_card     text,                            -- XML1.MA_THE_BHYT (first card when several)
  ma_loai_kcb   text,
  visit_start   timestamptz,                     -- XML1.NGAY_VAO (Asia/Ho_Chi_Minh)
  visit_end     timestamptz,                     -- XML1.NGAY_RA
  accepted_at   timestamptz NOT NULL DEFAULT now(),
  tables        jsonb NOT NULL,
  UNIQUE (macskcb, ma_lk, version)
);
CREATE INDEX dossier_person ON dossier (personal_id);
CREATE INDEX dossier_card ON dossier (bhyt_card);
CREATE INDEX dossier_facility_accepted ON dossier (macskcb, accepted_at);
CREATE INDEX dossier_accepted ON dossier (accepted_at);

-- Check-in records (XML0, CHI_TIEU_TRANG_THAI_KCB) received at reception.
CREATE TABLE checkin (
  id           bigserial PRIMARY KEY,
  package_id   bigint REFERENCES package_archive (id),
  macskcb      text NOT NULL,
  ma_lk        text NOT NULL,
  personal_id  text,
  bhyt_card    text,
  -- how the patient was identified at reception (extension: chip_cccd, vneid, personal_id, bhyt_card, other)
  id_method    text,
  checkin_at   timestamptz,                      -- XML0.NGAY_VAO
  received_at  timestamptz NOT NULL DEFAULT now(),
  row          jsonb NOT NULL
);
CREATE INDEX checkin_facility_time ON checkin (macskcb, received_at);
