-- Browser sessions of the web pages, used only while the identity module (src/access/identity)
-- is not present on the server; with it, its sessions are used instead. The token is stored as
-- its SHA-256; the principal is role + subject + facility/area (no health data).
CREATE TABLE web_session (
  token_hash  text PRIMARY KEY,
  principal   jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX web_session_expiry ON web_session (expires_at);
