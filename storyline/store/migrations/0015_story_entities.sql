-- Version 15: stories found by the entities they name, however long they have been quiet.
-- The matcher holds in memory only the stories of recent weeks; a story quiet for longer can
-- still take a follow-up that names its entities. story_entities lists, for every dated story,
-- the entities of stories.entities with the story's last day, so that the most recent stories
-- naming an entity before a given day are one index range, whatever the size of the store.
CREATE TABLE story_entities (
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL,
    last_day TEXT NOT NULL,
    PRIMARY KEY (story_id, entity_id)
);
CREATE INDEX story_entities_recent ON story_entities(entity_id, last_day);
INSERT INTO story_entities (story_id, entity_id, last_day)
SELECT s.id, named.key, s.last_day FROM stories s, json_each(s.entities) AS named
WHERE s.last_day IS NOT NULL AND s.entities IS NOT NULL;
