-- Registries (QĐ 1362: facility and pharmacy identification): facilities with their code
-- (MACSKCB, 5 characters: 2-digit province + 3-digit serial when issued here), pharmacies and
-- practitioners (practice licence). facility_account (core) is the sending account; this is the
-- administrative record that monitoring reads for the area (province / district / commune).
CREATE TABLE reg_facility (
  macskcb       text PRIMARY KEY,
  name          text NOT NULL,
  level         text NOT NULL DEFAULT '',          -- tuyến / hạng: central, province, district, commune, private...
  province      text NOT NULL DEFAULT '',          -- province code (2 digits)
  district      text NOT NULL DEFAULT '',          -- district code (3 digits)
  commune       text NOT NULL DEFAULT '',          -- commune code (5 digits)
  ownership     text NOT NULL DEFAULT 'public' CHECK (ownership IN ('public', 'private', 'other')),
  bhyt_contract boolean NOT NULL DEFAULT false,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  code_issued   boolean NOT NULL DEFAULT false,    -- true when the code was issued by this registry
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reg_facility_area ON reg_facility (province, district);

CREATE TABLE reg_pharmacy (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  licence     text NOT NULL DEFAULT '',            -- business licence for pharmacy (GCN đủ điều kiện KD dược)
  province    text NOT NULL DEFAULT '',
  district    text NOT NULL DEFAULT '',
  commune     text NOT NULL DEFAULT '',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reg_pharmacy_area ON reg_pharmacy (province, district);

CREATE TABLE reg_practitioner (
  licence     text PRIMARY KEY,                    -- practice licence number (số chứng chỉ / giấy phép hành nghề)
  name        text NOT NULL,
  profession  text NOT NULL DEFAULT '',
  macskcb     text NOT NULL DEFAULT '',            -- facility of practice
  province    text NOT NULL DEFAULT '',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reg_practitioner_facility ON reg_practitioner (macskcb);
