-- Version 4: full-text search and the filters of the story list, with PostgreSQL's own text search.
-- Each article's title and text are indexed twice: with the text search configuration of its
-- language (stemmed: "negotiations" finds "negotiated"), and word for word (the 'simple'
-- configuration, any language). Both fold accents (unaccent): "Genève" finds "Geneve". A query
-- is tried in every configuration (storyline_query): an article matches when its own language's
-- stems, or its exact words, hold every word of the query.
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
DECLARE
    -- ISO 639-1 code -> PostgreSQL's configuration; those this server lacks are left out.
    languages CONSTANT text[][] := ARRAY[
        ['ar', 'arabic'], ['hy', 'armenian'], ['eu', 'basque'], ['ca', 'catalan'], ['da', 'danish'], ['nl', 'dutch'],
        ['en', 'english'], ['fi', 'finnish'], ['fr', 'french'], ['de', 'german'], ['el', 'greek'], ['hi', 'hindi'],
        ['hu', 'hungarian'], ['id', 'indonesian'], ['ga', 'irish'], ['it', 'italian'], ['lt', 'lithuanian'],
        ['ne', 'nepali'], ['no', 'norwegian'], ['nb', 'norwegian'], ['nn', 'norwegian'], ['pt', 'portuguese'],
        ['ro', 'romanian'], ['ru', 'russian'], ['sr', 'serbian'], ['es', 'spanish'], ['sv', 'swedish'],
        ['ta', 'tamil'], ['tr', 'turkish'], ['yi', 'yiddish']];
    own text;
    cases text := '';
BEGIN
    CREATE TEXT SEARCH CONFIGURATION storyline_simple (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION storyline_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    FOR i IN 1 .. array_length(languages, 1) LOOP
        CONTINUE WHEN NOT EXISTS (
            SELECT 1 FROM pg_ts_config WHERE cfgname = languages[i][2] AND cfgnamespace = 'pg_catalog'::regnamespace);
        own := 'storyline_' || languages[i][2];
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = own) THEN
            EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = pg_catalog.%I)', own, languages[i][2]);
            EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING FOR hword, hword_part, word WITH unaccent, %I',
                           own, languages[i][2] || '_stem');
        END IF;
        cases := cases || format(' WHEN %L THEN %L::regconfig', languages[i][1], own);
    END LOOP;
    EXECUTE format(
        'CREATE FUNCTION storyline_search_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        'SELECT CASE language' || cases || ' ELSE ''storyline_simple''::regconfig END');
END $$;

-- The words of a query (a to_tsquery text) in every configuration.
CREATE FUNCTION storyline_query(words text) RETURNS tsquery LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    combined tsquery := to_tsquery('storyline_simple', words);
    config regconfig;
BEGIN
    FOR config IN SELECT oid::regconfig FROM pg_ts_config WHERE cfgname LIKE 'storyline\_%' AND cfgname <> 'storyline_simple' LOOP
        combined := combined || to_tsquery(config, words);
    END LOOP;
    RETURN combined;
END $$;

-- At most the first 100,000 characters of a text are indexed: a tsvector holds at most 1 MB.
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(storyline_search_config(language), coalesce(title, '')), 'A')
    || to_tsvector(storyline_search_config(language), left(text, 100000))
    || to_tsvector('storyline_simple', coalesce(title, '') || E'\n' || left(text, 100000))
) STORED;
CREATE INDEX articles_search ON articles USING gin (search);

-- Stories that have an article in a language, or from an outlet; and the newest first.
CREATE INDEX articles_language ON articles(language, story_id);
CREATE INDEX articles_outlet ON articles(lower(outlet), story_id);
CREATE INDEX stories_recent ON stories(last_day DESC, size DESC);
