-- A database as newsstream 0.1 wrote it (before migrations): its four tables, no alembic_version,
-- and a few rows. {real} and {bool} are the dialect's types (REAL/INTEGER on SQLite,
-- DOUBLE PRECISION/BOOLEAN on PostgreSQL).
CREATE TABLE articles (
    id TEXT PRIMARY KEY, url TEXT, source TEXT, title TEXT NOT NULL, body TEXT NOT NULL,
    published TEXT, language TEXT, ingested_at BIGINT NOT NULL, stored_at BIGINT NOT NULL,
    countries TEXT NOT NULL, primary_event TEXT, story_id TEXT NOT NULL, pipeline_version TEXT NOT NULL);
CREATE TABLE entities (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    text TEXT NOT NULL, label TEXT NOT NULL, canonical TEXT NOT NULL, country TEXT,
    lat {real}, lon {real}, mentions TEXT NOT NULL, PRIMARY KEY (article_id, position));
CREATE TABLE events (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    type TEXT NOT NULL, mode TEXT, cameo TEXT, acled_event_type TEXT, acled_sub_event_type TEXT,
    sentence TEXT NOT NULL, field TEXT NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
    actor TEXT, target TEXT, location TEXT, country TEXT, lat {real}, lon {real},
    event_date TEXT, fatalities INTEGER, injured INTEGER, negated {bool} NOT NULL,
    hypothetical {bool} NOT NULL, confidence {real} NOT NULL, PRIMARY KEY (article_id, position));
CREATE TABLE alerts (
    id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    summary TEXT NOT NULL, article_ids TEXT NOT NULL, story_id TEXT NOT NULL, event_types TEXT NOT NULL,
    countries TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX events_type_country ON events (type, country);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX alerts_story ON alerts (story_id);
INSERT INTO articles VALUES ('old-1', 'https://example.org/a', 'Wire', 'Clashes in Goma', 'Fighting in Goma killed 12.', '2026-11-30', 'en', 1, 2, '["CD"]', 'ASSAULT', 'story-1', '0.1');
INSERT INTO articles VALUES ('old-2', NULL, NULL, 'Talks in Doha', 'Delegates met in Doha.', NULL, 'en', 3, 4, '["QA"]', 'CONSULT', 'story-2', '0.1');
INSERT INTO entities VALUES ('old-1', 0, 'Goma', 'GPE', 'Goma', 'CD', -1.68, 29.22, '[["body", 12, 16]]');
INSERT INTO events VALUES ('old-1', 0, 'ASSAULT', 'firearms', '19', 'Battles', 'Armed clash', 'Fighting in Goma killed 12.', 'body', 0, 27, NULL, NULL, 'Goma', 'CD', -1.68, 29.22, '2026-11-30', 12, NULL, {false}, {false}, 0.8);
INSERT INTO alerts VALUES ('alert-1', 'mass-casualty-violence', 'warning', 'match', 'Clashes in Goma', 'x', '["old-1"]', 'story-1', '["ASSAULT"]', '["CD"]', 5);
