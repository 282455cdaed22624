-- Changes waiting to reach the search index. A row is written in the same
-- transaction as the change it announces (an article published, withdrawn
-- or deleted; a module's document indexed or removed), and deleted only
-- after the index has applied it: a crash in between leaves the row, and
-- the worker applies it again (every application is idempotent).
--   kind 'article': ref is the article id; the worker reads the article
--                   and indexes it if it is published, removes it if not.
--   kind 'doc':     ref is a module document's id; payload is the
--                   document (JSON) to index, NULL to remove it.
--   kind 'reindex': rebuild the tenant's documents from the database
--                   (tenant_id 0: every tenant), asked for by the CLI.
CREATE TABLE search_outbox (
	id {{id}},
	kind VARCHAR(16) NOT NULL,
	tenant_id BIGINT NOT NULL,
	ref VARCHAR(200) NOT NULL DEFAULT '',
	payload {{text}} NULL,
	created_at {{time}} NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error VARCHAR(500) NOT NULL DEFAULT ''
) {{table}};

-- Who drains the outbox: one worker at a time across replicas, by lease.
CREATE TABLE search_lease (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	holder VARCHAR(200) NOT NULL,
	expires_at {{time}} NOT NULL
) {{table}};
