-- Version 11: a publication date the clean stage had to guess (from a photo caption or a stray
-- date in the page furniture) is kept, marked, and still gives the article's day (issue 15;
-- PostgreSQL, the same column as migrations/0011_published_uncertain.sql for SQLite).
ALTER TABLE articles ADD COLUMN published_uncertain INTEGER NOT NULL DEFAULT 0;
