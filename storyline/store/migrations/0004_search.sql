-- Version 4: full-text search and the filters of the story list.
-- article_search indexes the title and text of every article with FTS5. It is an
-- external-content index (the text itself stays in articles, keyed by seq): save_batch
-- adds the rows of each new article in the same transaction; articles are never rewritten.
-- unicode61 folds case and strips diacritics, in every script: "Genève" finds "Geneve".
CREATE VIRTUAL TABLE article_search USING fts5(
    title, text, content = 'articles', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO article_search (rowid, title, text) SELECT seq, title, text FROM articles;

-- Stories that have an article in a language, or from an outlet; and the newest first.
CREATE INDEX articles_language ON articles(language, story_id);
CREATE INDEX articles_outlet ON articles(outlet COLLATE NOCASE, story_id);
CREATE INDEX stories_recent ON stories(last_day DESC, size DESC);
