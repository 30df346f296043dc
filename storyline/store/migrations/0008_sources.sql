-- Version 8: watched sources (feeds, sitemaps, pages), the pages found through them,
-- versions of articles that changed, and where an interrupted web-archive ingest stopped.
-- Times are ISO 8601 UTC text, so they compare as strings.

-- A source and the health of its polling (see model.Source). children: JSON, for a sitemap
-- index, child sitemap URL -> {lastmod, etag, last_modified} when last read.
CREATE TABLE watched_sources (
    url TEXT PRIMARY KEY,
    name TEXT,
    kind TEXT CHECK (kind IN ('feed', 'sitemap', 'sitemap index', 'page')),
    title TEXT,
    every INTEGER NOT NULL,
    added TEXT NOT NULL,
    next_poll TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll TEXT,
    last_success TEXT,
    status INTEGER,
    error TEXT,
    errors_in_row INTEGER NOT NULL DEFAULT 0,
    items_seen INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    children TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX watched_sources_due ON watched_sources(dead, next_poll);

-- A page found through a source, keyed by its canonical URL so it is fetched once whatever
-- feed or tracking parameters led to it. link: JSON of model.Link (the URL fetched and the
-- source's hints). fetched_url: where the page was found after redirects. body: the fetched bytes (zlib) while state = 'fetched', that is between
-- the fetch and the pipeline storing the article, so a crash there never costs a refetch.
CREATE TABLE watched_pages (
    seq INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    link TEXT NOT NULL,
    source TEXT NOT NULL,
    found TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'fetched', 'stored', 'failed', 'skipped')),
    signature TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT,
    status INTEGER,
    error TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    fetched TEXT,
    fetched_url TEXT,
    article_id TEXT,
    first_article_id TEXT,
    body BLOB
);
-- Due pages are taken a few per source at a time, so one source with a long backlog never
-- holds up the others.
CREATE INDEX watched_pages_waiting ON watched_pages(source, seq) WHERE state IN ('pending', 'fetched');
CREATE INDEX watched_pages_source ON watched_pages(source, state);

-- Every version of an article whose page changed after it was stored: each version is an
-- article of its own, linked to the first by first_id (version 1 is the first itself).
CREATE TABLE article_versions (
    article_id TEXT PRIMARY KEY,
    first_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    url TEXT NOT NULL,
    fetched TEXT NOT NULL,
    UNIQUE (first_id, version)
);

-- The last record of a web archive (WARC/ARC) stored by an ingest, so a re-run after a crash
-- resumes there. file_key: resolved path, size and modification time (another file: no resume).
CREATE TABLE archive_checkpoints (
    file_key TEXT PRIMARY KEY,
    offset INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    at TEXT NOT NULL
);
