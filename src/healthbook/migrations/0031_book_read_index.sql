-- The book page is read newest first with undated entries last: the index now has that exact
-- order (occurred_at DESC NULLS LAST, id DESC), so a page is an index walk that stops at the limit.
CREATE INDEX book_entry_person_page ON book_entry (personal_id, current, occurred_at DESC NULLS LAST, id DESC);
DROP INDEX book_entry_person;
