-- Version 11: a publication date the clean stage had to guess (from a photo caption or a stray
-- date in the page furniture) is kept but marked; such an article has no published_day, so it
-- is placed in time like an undated one (issue 15).
ALTER TABLE articles ADD COLUMN published_uncertain INTEGER NOT NULL DEFAULT 0;
