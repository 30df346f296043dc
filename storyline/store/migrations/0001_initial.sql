-- Storyline schema, version 1.
-- raw_documents keeps every input verbatim (zlib-compressed) so cleaning can be re-run;
-- a row with a problem is an input that could not be cleaned yet.
CREATE TABLE raw_documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'html')),
    body BLOB NOT NULL,
    given TEXT NOT NULL,
    problem TEXT
);

CREATE TABLE sources (
    article_id TEXT NOT NULL REFERENCES raw_documents(id),
    source TEXT NOT NULL,
    PRIMARY KEY (article_id, source)
) WITHOUT ROWID;

CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    title TEXT,
    title_vector BLOB,
    size INTEGER NOT NULL,
    first_day TEXT,
    last_day TEXT,
    vector_sum BLOB NOT NULL
);

-- seq is the arrival order: matching is incremental, so order is part of the result.
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE REFERENCES raw_documents(id),
    external_id TEXT,
    source TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    published TEXT,
    published_day TEXT,
    language TEXT,
    outlet TEXT,
    author TEXT,
    url TEXT,
    text_hash TEXT NOT NULL,
    duplicate_of TEXT REFERENCES articles(id),
    duplicate_kind TEXT CHECK (duplicate_kind IN ('exact', 'near')),
    story_id TEXT NOT NULL REFERENCES stories(id),
    match_score REAL,
    embedding BLOB,
    fingerprint BLOB
);
CREATE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_story ON articles(story_id, seq);
CREATE INDEX articles_published_day ON articles(published_day);

-- MinHash LSH bands for near-duplicate lookup.
CREATE TABLE minhash_bands (
    band INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;
