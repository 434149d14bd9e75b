-- Medical-assessment documents (XML12, CHI_TIEU_GIAM_DINH_YKHOA) go through the same queue as
-- check-in documents: one item per document, one signed document per send.
ALTER TABLE con_batch DROP CONSTRAINT con_batch_kind_check;
ALTER TABLE con_batch ADD CONSTRAINT con_batch_kind_check CHECK (kind IN ('dossier', 'checkin', 'gdyk'));
ALTER TABLE con_item DROP CONSTRAINT con_item_kind_check;
ALTER TABLE con_item ADD CONSTRAINT con_item_kind_check CHECK (kind IN ('dossier', 'checkin', 'gdyk'));
