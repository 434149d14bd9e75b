-- The outbox: work that follows an acceptance (book projection, share feed, metrics) is written
-- in the same transaction as the acceptance, one row per consumer, and claimed with SKIP LOCKED.
CREATE TABLE outbox_consumer (
  name  text NOT NULL,
  topic text NOT NULL,
  PRIMARY KEY (name, topic)
);

CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  consumer     text NOT NULL,
  topic        text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX outbox_ready ON outbox (consumer, available_at, id);

CREATE TABLE outbox_dead (
  id         bigint PRIMARY KEY,
  consumer   text NOT NULL,
  topic      text NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  dead_at    timestamptz NOT NULL DEFAULT now(),
  attempts   integer NOT NULL,
  last_error text
);
