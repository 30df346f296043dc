-- Version 5: what explains a story. Each article keeps the embeddings of its lead sentences
-- (int8, one scale per row) to match statements across articles and languages; each story keeps
-- its explanation (timeline, coverage, agreed facts, single-source claims, quotes, summary) as JSON,
-- rewritten in the batch that changes the story.
ALTER TABLE analyses ADD COLUMN sentence_vectors BYTEA;

CREATE TABLE story_explanations (
    story_id TEXT COLLATE "C" PRIMARY KEY REFERENCES stories(id),
    payload TEXT NOT NULL
);
