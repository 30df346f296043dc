-- Version 9: where cleaning cut an input too long to read whole (JSON list of
-- {"what", "kept", "total"}; NULL when nothing was cut). See docs/export-format.md.
ALTER TABLE articles ADD COLUMN cuts TEXT;
