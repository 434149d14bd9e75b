-- A certificate enters the book from the gateway's archive (signed document, outbox event
-- certificate.accepted); package_id makes the projection idempotent.
ALTER TABLE book_certificate ADD COLUMN package_id bigint UNIQUE;
INSERT INTO outbox_consumer (name, topic) VALUES ('healthbook.certificate', 'certificate.accepted');
