-- Version 2: lexical matching. Each story keeps its heaviest TF-IDF terms;
-- document frequencies of hashed terms grow with every article matched.
ALTER TABLE stories ADD COLUMN terms BLOB;

CREATE TABLE term_frequencies (
    term INTEGER PRIMARY KEY,
    documents INTEGER NOT NULL
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
