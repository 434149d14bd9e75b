-- Monitoring aggregates: one row per (local day, facility) with every counter the dashboard
-- needs, so a query over any area and period sums a few thousand rows instead of scanning
-- millions of dossiers. Filled by refreshAggregates() (set-based recompute of a day range) from
-- the core tables; the outbox consumers below only mark (day, facility) cells dirty.
CREATE TABLE mon_day (
  day              date NOT NULL,                 -- local day (Asia/Ho_Chi_Minh, UTC+7)
  macskcb          text NOT NULL,
  province         text NOT NULL DEFAULT '',
  district         text NOT NULL DEFAULT '',
  dossiers         integer NOT NULL DEFAULT 0,    -- new dossiers (version 1) accepted
  replacements     integer NOT NULL DEFAULT 0,    -- replacement versions accepted
  timed            integer NOT NULL DEFAULT 0,    -- new dossiers with a visit end (NGAY_RA)
  on_time          integer NOT NULL DEFAULT 0,    -- accepted within the limit after the visit end
  latency_min_sum  bigint  NOT NULL DEFAULT 0,
  lat_15           integer NOT NULL DEFAULT 0,    -- latency histogram (minutes): <=15
  lat_60           integer NOT NULL DEFAULT 0,    -- (15, 60]
  lat_240          integer NOT NULL DEFAULT 0,    -- (60, 240]
  lat_1440         integer NOT NULL DEFAULT 0,    -- (240, 1440]
  lat_4320         integer NOT NULL DEFAULT 0,    -- (1440, 4320]
  lat_more         integer NOT NULL DEFAULT 0,    -- > 4320
  packages         integer NOT NULL DEFAULT 0,    -- dossier packages received (any status)
  packages_signed  integer NOT NULL DEFAULT 0,
  packages_rejected integer NOT NULL DEFAULT 0,
  packages_partial integer NOT NULL DEFAULT 0,
  referral_expected integer NOT NULL DEFAULT 0,   -- MA_LOAI_RV 2/5 (transfer)
  referral_sent    integer NOT NULL DEFAULT 0,    -- ... with an XML13
  appt_expected    integer NOT NULL DEFAULT 0,    -- NGAY_TAI_KHAM given
  appt_sent        integer NOT NULL DEFAULT 0,    -- ... with an XML14
  lab_expected     integer NOT NULL DEFAULT 0,    -- XML3 lab/imaging/functional services (MA_NHOM 1..3)
  lab_sent         integer NOT NULL DEFAULT 0,    -- ... with XML4 results
  births           integer NOT NULL DEFAULT 0,    -- XML9 birth certificates
  deaths           integer NOT NULL DEFAULT 0,    -- KET_QUA_DTRI 5/8
  death_notices    integer NOT NULL DEFAULT 0,    -- death notices received by the book's intake
  checkins         integer NOT NULL DEFAULT 0,    -- XML0 check-ins (each expects a dossier)
  checkins_matched integer NOT NULL DEFAULT 0,    -- ... whose dossier was received
  checkins_cccd    integer NOT NULL DEFAULT 0,    -- identified by chip CCCD
  checkins_vneid   integer NOT NULL DEFAULT 0,    -- identified by VNeID account/QR
  shares           integer NOT NULL DEFAULT 0,    -- entries published to the citizen's book
  share_breaches   integer NOT NULL DEFAULT 0,    -- published more than 24 h after acceptance
  PRIMARY KEY (day, macskcb)
);
CREATE INDEX mon_day_area ON mon_day (province, district, day);
CREATE INDEX mon_day_facility ON mon_day (macskcb, day);

-- Rejection reasons (problem codes from the receipts) per day and facility.
CREATE TABLE mon_reason (
  day      date NOT NULL,
  macskcb  text NOT NULL,
  province text NOT NULL DEFAULT '',
  district text NOT NULL DEFAULT '',
  code     text NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (day, macskcb, code)
);
CREATE INDEX mon_reason_area ON mon_reason (province, day);

-- Cells to recompute (marked by the outbox consumers, cleared by refreshDirty()).
CREATE TABLE mon_dirty (
  day     date NOT NULL,
  macskcb text NOT NULL,
  PRIMARY KEY (day, macskcb)
);

-- Settings (on-time limit in minutes, targets); defaults in code.
CREATE TABLE mon_setting (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

-- Monthly reports, kept: every generation is a new row; the latest per scope/month/format is served.
CREATE TABLE mon_report (
  id           bigserial PRIMARY KEY,
  scope        text NOT NULL CHECK (scope IN ('nation', 'province', 'facility')),
  code         text NOT NULL DEFAULT '',
  month        text NOT NULL,                   -- YYYY-MM
  format       text NOT NULL CHECK (format IN ('xlsx', 'csv', 'pdf')),
  bytes        bytea NOT NULL,
  sha256       text NOT NULL,
  trigger      text NOT NULL DEFAULT 'on_demand' CHECK (trigger IN ('on_demand', 'scheduled')),
  generated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mon_report_key ON mon_report (scope, code, month, format, generated_at DESC);

INSERT INTO outbox_consumer (name, topic) VALUES ('monitoring.mark', 'dossier.accepted');
INSERT INTO outbox_consumer (name, topic) VALUES ('monitoring.mark', 'checkin.received');
