-- Signed death notices and driving-licence health checks (certificate documents) go through the
-- queue like check-ins: one item per document version, one document per send.
ALTER TABLE con_batch DROP CONSTRAINT con_batch_kind_check;
ALTER TABLE con_batch ADD CONSTRAINT con_batch_kind_check CHECK (kind IN ('dossier', 'checkin', 'gdyk', 'certificate'));
ALTER TABLE con_item DROP CONSTRAINT con_item_kind_check;
ALTER TABLE con_item ADD CONSTRAINT con_item_kind_check CHECK (kind IN ('dossier', 'checkin', 'gdyk', 'certificate'));
