-- The change feed of public pages: every write that changes what a
-- visitor sees adds a row naming the tenant (0 for every tenant) and the
-- path prefix of the pages it touches ('' for all of them). Every host
-- process reads the feed and drops what its page cache holds of them.
-- Rows are kept for minutes, long enough for every process to read them.
CREATE TABLE page_changes (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	prefix VARCHAR(200) NOT NULL,
	at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_page_changes_at ON page_changes (at);
