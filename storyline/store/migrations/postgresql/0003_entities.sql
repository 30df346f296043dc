-- Version 3: canonical entities shared across articles and languages, and each article's analysis.
CREATE TABLE entities (
    id TEXT COLLATE "C" PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    neighbors TEXT NOT NULL,      -- JSON {entity id: times mentioned together}
    place TEXT                    -- JSON of the GeoNames record, for places
);

-- Every surface form seen, with how often.
CREATE TABLE entity_aliases (
    entity_id TEXT COLLATE "C" NOT NULL REFERENCES entities(id),
    alias TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (entity_id, alias)
);

-- Lookup keys (see storyline/analyze/names.py): how new mentions find an entity.
CREATE TABLE entity_keys (
    key TEXT NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL REFERENCES entities(id),
    PRIMARY KEY (key, entity_id)
);
CREATE INDEX entity_keys_entity ON entity_keys(entity_id);

CREATE TABLE article_entities (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id),
    entity_id TEXT COLLATE "C" NOT NULL REFERENCES entities(id),
    mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX article_entities_entity ON article_entities(entity_id);

-- Mentions, places, times, quotes and events of an article, as JSON.
CREATE TABLE analyses (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id),
    payload TEXT NOT NULL
);
