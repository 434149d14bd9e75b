-- Signed death notices and driving-licence health checks (documents sent on their own, like XML0
-- and XML12) are archived with kind 'certificate'; their number is in the receipt's document.
ALTER TABLE package_archive DROP CONSTRAINT package_archive_kind_check;
ALTER TABLE package_archive ADD CONSTRAINT package_archive_kind_check CHECK (kind IN ('dossier', 'checkin', 'gdyk', 'certificate'));
CREATE INDEX package_archive_certificate ON package_archive (macskcb, ((receipt->'document'->>'number'))) WHERE kind = 'certificate';
