-- Version 13: several writers. Writers take turns batch by batch (store.writer()); every batch saved
-- is numbered (counters 'saved_batches'), and the rows a matcher holds in memory between batches
-- (story profiles, merges, term frequencies) keep the number of the batch that last wrote them, so
-- a writer whose turn comes reads only what the others changed since its own last batch.
ALTER TABLE stories ADD COLUMN saved_batch INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stories_saved ON stories(saved_batch);
ALTER TABLE story_merges ADD COLUMN saved_batch INTEGER NOT NULL DEFAULT 0;
CREATE INDEX story_merges_saved ON story_merges(saved_batch);
ALTER TABLE term_frequencies ADD COLUMN saved_batch INTEGER NOT NULL DEFAULT 0;
CREATE INDEX term_frequencies_saved ON term_frequencies(saved_batch);
INSERT INTO counters (name, value) VALUES ('saved_batches', 0);
