-- Version 7: analysts' control over stories, and search that knows entities.
-- story_edits logs every merge, split, move, rename and undo an analyst made, with what it
-- changed (JSON) so that it can be reversed; an undo is an edit too, and marks the one it reverses.
CREATE TABLE story_edits (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'move', 'rename', 'undo')),
    story_id TEXT NOT NULL,
    by TEXT,
    payload TEXT NOT NULL,
    undoes INTEGER REFERENCES story_edits(id),
    undone_by INTEGER REFERENCES story_edits(id)
);

-- Pairs of stories the matcher must not merge: an analyst split them, or moved an article
-- from one to the other. first_id < second_id; when the matcher merges a story into another,
-- its pairs follow it to the survivor.
CREATE TABLE stories_kept_apart (
    first_id TEXT NOT NULL,
    second_id TEXT NOT NULL,
    edit_id INTEGER REFERENCES story_edits(id),
    PRIMARY KEY (first_id, second_id),
    CHECK (first_id < second_id)
) WITHOUT ROWID;
CREATE INDEX stories_kept_apart_second ON stories_kept_apart(second_id);

-- An analyst named the story: the matcher's title refresh leaves it alone.
ALTER TABLE stories ADD COLUMN title_pinned INTEGER NOT NULL DEFAULT 0;

-- Every spelling of every entity, searchable case- and accent-blind in any script: a query
-- word finds the entities it is a spelling of ("Estambul" -> Istanbul). Kept in step by a
-- trigger: spellings are only ever added (the linker updates counts, never the text).
CREATE VIRTUAL TABLE entity_alias_search USING fts5(alias, entity_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO entity_alias_search (alias, entity_id) SELECT alias, entity_id FROM entity_aliases;
CREATE TRIGGER entity_aliases_searchable AFTER INSERT ON entity_aliases BEGIN
    INSERT INTO entity_alias_search (alias, entity_id) VALUES (new.alias, new.entity_id);
END;
