-- Identity: staff accounts (scrypt password hashes), sessions (opaque tokens stored as SHA-256),
-- the development OpenID provider's signing key and authorization codes, and the relying party's
-- pending logins (state, nonce, PKCE verifier).
CREATE TABLE staff_account (
  username       text PRIMARY KEY,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('facility', 'doctor', 'officer', 'operator')),
  macskcb        text,
  province       text,
  licence        text,
  name           text,
  active         boolean NOT NULL DEFAULT true,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE identity_session (
  token_hash   text PRIMARY KEY,
  role         text NOT NULL,
  sub          text NOT NULL,
  principal    jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX identity_session_expiry ON identity_session (expires_at);

CREATE TABLE oidc_signing_key (
  kid          text PRIMARY KEY,
  private_jwk  jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oidc_code (
  code_hash      text PRIMARY KEY,
  client_id      text NOT NULL,
  redirect_uri   text NOT NULL,
  sub            text NOT NULL,
  nonce          text,
  code_challenge text NOT NULL,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz
);

CREATE TABLE oidc_login (
  state_hash   text PRIMARY KEY,
  nonce        text NOT NULL,
  verifier     text NOT NULL,
  return_to    text NOT NULL,
  expires_at   timestamptz NOT NULL
);
