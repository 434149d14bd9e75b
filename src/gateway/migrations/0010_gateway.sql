-- Gateway: receipt key, facade id tokens, rejected submissions log.

-- The gateway's receipt-signing key (Ed25519), generated once and shared by every gateway process.
CREATE TABLE gateway_receipt_key (
  key_id      text PRIMARY KEY,
  private_pem text NOT NULL,
  public_pem  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  active      boolean NOT NULL DEFAULT true
);

-- National facade (token/take): the id_token paired with the access token.
ALTER TABLE api_token ADD COLUMN id_token_hash text;

-- Every rejected submission attempt (package_archive keeps accepted/partial packages only, one
-- row per exact bytes): a facility that fixes its certificate registration can resend the same
-- bytes and have them processed again.
CREATE TABLE package_rejection (
  id          bigserial PRIMARY KEY,
  receipt_id  text NOT NULL UNIQUE,
  sha256      text NOT NULL,
  macskcb     text NOT NULL,
  kind        text NOT NULL DEFAULT 'dossier',
  size        integer NOT NULL,
  bytes       bytea,
  received_at timestamptz NOT NULL DEFAULT now(),
  receipt     jsonb NOT NULL
);
CREATE INDEX package_rejection_sha ON package_rejection (sha256);
CREATE INDEX package_rejection_facility_time ON package_rejection (macskcb, received_at);

-- Receipt id lookup for accepted packages.
ALTER TABLE package_archive ADD COLUMN receipt_id text;
CREATE UNIQUE INDEX package_archive_receipt_id ON package_archive (receipt_id);
CREATE INDEX dossier_facility_malk ON dossier (macskcb, ma_lk);
