-- The connector's own durable queue (its own database, beside the HIS).
-- file: one stored input (spooled, fsynced); item: one dossier version or one check-in
-- document; batch: one signed package handed to the gateway, resent only as the same bytes.
CREATE TABLE con_file (
  id bigserial PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  name text NOT NULL,
  source text NOT NULL,
  spool_path text NOT NULL,
  replace boolean NOT NULL DEFAULT false,
  state text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'processed', 'rejected')),
  report jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);

CREATE TABLE con_batch (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('dossier', 'checkin')),
  sha256 text NOT NULL UNIQUE,
  spool_path text NOT NULL,
  replaces text,
  dossiers int NOT NULL,
  bytes int NOT NULL,
  state text NOT NULL CHECK (state IN ('ready', 'done', 'failed', 'dissolved', 'held')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error jsonb,
  receipt jsonb,
  receipt_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  first_sent_at timestamptz,
  done_at timestamptz
);
CREATE INDEX con_batch_ready ON con_batch (state, next_attempt_at);

CREATE TABLE con_item (
  id bigserial PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES con_file(id),
  kind text NOT NULL CHECK (kind IN ('dossier', 'checkin')),
  macskcb text NOT NULL,
  ma_lk text NOT NULL,
  content_sha256 text NOT NULL,
  content jsonb NOT NULL,
  local_version int NOT NULL,
  replaces boolean NOT NULL DEFAULT false,
  state text NOT NULL CHECK (state IN ('queued', 'sending', 'accepted', 'rejected', 'failed', 'replaced', 'superseded')),
  batch_id bigint REFERENCES con_batch(id),
  visit_end timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  accepted_at timestamptz,
  remote_version int,
  problems jsonb,
  UNIQUE (kind, ma_lk, content_sha256)
);
CREATE INDEX con_item_state ON con_item (state, id);
CREATE INDEX con_item_malk ON con_item (ma_lk, id);

CREATE TABLE con_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  level text NOT NULL,
  kind text NOT NULL,
  item_id bigint,
  batch_id bigint,
  detail jsonb
);
