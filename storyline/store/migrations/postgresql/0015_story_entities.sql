-- Version 15 (PostgreSQL; the same meaning as migrations/0015_story_entities.sql for SQLite):
-- stories found by the entities they name, however long they have been quiet.
CREATE TABLE story_entities (
    story_id TEXT COLLATE "C" NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    entity_id TEXT COLLATE "C" NOT NULL,
    last_day TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (story_id, entity_id)
);
CREATE INDEX story_entities_recent ON story_entities(entity_id, last_day);
INSERT INTO story_entities (story_id, entity_id, last_day)
SELECT s.id, named.key, s.last_day FROM stories s, jsonb_each(s.entities::jsonb) AS named
WHERE s.last_day IS NOT NULL AND s.entities IS NOT NULL;
