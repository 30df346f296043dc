-- Version 6: stories found by time and by entity, and merged stories.
-- The matcher loads only the stories within reach of the days it is placing articles in
-- (stories_span), and finds stories by the canonical entities their articles name
-- (stories.entities: JSON {entity id: member articles naming it}, the most named ones).
ALTER TABLE stories ADD COLUMN entities TEXT;
UPDATE stories SET entities = (
    SELECT json_object_agg(named.entity_id, named.articles)::text FROM (
        SELECT ae.entity_id, COUNT(*) AS articles
        FROM article_entities ae JOIN articles a ON a.id = ae.article_id
        WHERE a.story_id = stories.id GROUP BY ae.entity_id
    ) AS named
);
CREATE INDEX stories_span ON stories(last_day, first_day, id);
-- Undated articles can join any story; the matcher finds those that already hold undated articles.
ALTER TABLE stories ADD COLUMN undated_articles INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET undated_articles = (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id AND a.published_day IS NULL);
CREATE INDEX stories_undated ON stories(undated_articles) WHERE undated_articles > 0;

-- A story merged into another keeps its id resolvable: from_id -> the surviving story
-- (always the final one: when a survivor is merged in turn, its rows are repointed).
CREATE TABLE story_merges (
    from_id TEXT COLLATE "C" PRIMARY KEY,
    into_id TEXT COLLATE "C" NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX story_merges_into ON story_merges(into_id);
