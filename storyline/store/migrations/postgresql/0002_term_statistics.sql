-- Version 2: lexical matching. Each story keeps its heaviest TF-IDF terms;
-- document frequencies of hashed terms grow with every article matched.
ALTER TABLE stories ADD COLUMN terms BYTEA;

CREATE TABLE term_frequencies (
    term INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);

CREATE TABLE counters (
    name TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
