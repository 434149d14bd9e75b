-- The citizen's health book: entries projected from accepted dossiers (and from certificates
-- received through the book's own intake), keyed by the 12-digit personal ID. A replacement
-- dossier marks the previous version's entries not current and adds new ones: history is kept.
CREATE TABLE book_entry (
  id            bigserial PRIMARY KEY,
  personal_id   text NOT NULL,
  bhyt_card     text,
  dossier_id    bigint REFERENCES dossier (id),
  certificate_id bigint,
  macskcb       text NOT NULL,
  ma_lk         text NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  kind          text NOT NULL,
  source_table  text NOT NULL,
  seq           integer NOT NULL DEFAULT 0,
  occurred_at   timestamptz,
  title         text NOT NULL,
  data          jsonb NOT NULL,
  current       boolean NOT NULL DEFAULT true,
  superseded_by bigint,
  accepted_at   timestamptz NOT NULL,
  published_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX book_entry_person ON book_entry (personal_id, current, occurred_at DESC, id);
CREATE INDEX book_entry_dossier ON book_entry (dossier_id);
CREATE INDEX book_entry_key ON book_entry (macskcb, ma_lk, current);

-- Identifiers linked to a personal ID (BHYT card numbers, the CCCD number itself).
CREATE TABLE book_identity (
  id_kind     text NOT NULL CHECK (id_kind IN ('bhyt', 'cccd')),
  value       text NOT NULL,
  personal_id text NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id_kind, value, personal_id)
);
CREATE INDEX book_identity_person ON book_identity (personal_id);

-- The book's administrative header per citizen (latest known), used for matching.
CREATE TABLE book_person (
  personal_id text PRIMARY KEY,
  full_name   text NOT NULL DEFAULT '',
  birth       text NOT NULL DEFAULT '',
  sex         text NOT NULL DEFAULT '',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Dossiers that could not be placed in a book (no valid 12-digit personal ID).
CREATE TABLE book_unlinked (
  dossier_id bigint PRIMARY KEY REFERENCES dossier (id),
  reason     text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);

-- The share feed: one row per new, changed or retracted entry, in publication order.
CREATE TABLE book_feed (
  seq          bigserial PRIMARY KEY,
  entry_id     bigint NOT NULL REFERENCES book_entry (id),
  personal_id  text NOT NULL,
  change       text NOT NULL CHECK (change IN ('new', 'changed', 'retracted')),
  accepted_at  timestamptz NOT NULL,
  published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  latency_ms   integer NOT NULL
);
CREATE INDEX book_feed_person ON book_feed (personal_id, seq);
CREATE INDEX book_feed_latency ON book_feed (latency_ms);

-- Pull-feed clients (the citizen app) and push webhooks.
CREATE TABLE book_feed_client (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE TABLE book_webhook (
  id            bigserial PRIMARY KEY,
  url           text NOT NULL,
  secret        text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  delivered_seq bigint NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Certificates received by the book's own intake (death notices, driving-licence health checks).
CREATE TABLE book_certificate (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('death_notice', 'driving_check')),
  macskcb     text NOT NULL,
  number      text NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  personal_id text NOT NULL,
  row         jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  current     boolean NOT NULL DEFAULT true,
  UNIQUE (kind, macskcb, number, version)
);

-- The gateway's QR signing key (Ed25519), created on first use unless configured.
CREATE TABLE book_signing_key (
  key_id      text PRIMARY KEY,
  alg         text NOT NULL,
  private_pem text NOT NULL,
  public_pem  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  active      boolean NOT NULL DEFAULT true
);

INSERT INTO outbox_consumer (name, topic) VALUES ('healthbook.project', 'dossier.accepted');
INSERT INTO outbox_consumer (name, topic) VALUES ('healthbook.webhook', 'book.published');
