-- The editorial side of a sub-site: review before publishing, scheduled
-- publishing, versions, withdrawal, submit-time checks and 信息报送.
--
-- Columns are added to articles one per statement, each with a default, so
-- that the same file runs on SQLite (which allows one ADD COLUMN per ALTER)
-- and on MySQL/MariaDB, and existing rows (demo content, imports) stay valid.

-- Who wrote and who last edited the article: a reviewer may be neither.
ALTER TABLE articles ADD COLUMN created_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN created_by_name VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN edited_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN submitted_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN submitted_at {{time}} NULL;
ALTER TABLE articles ADD COLUMN reviewed_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN reviewed_at {{time}} NULL;
-- Why a reviewer sent the article back.
ALTER TABLE articles ADD COLUMN return_reason VARCHAR(1000) NOT NULL DEFAULT '';
-- The time a reviewer scheduled; published_at is still the server's clock when it goes online.
ALTER TABLE articles ADD COLUMN scheduled_at {{time}} NULL;
-- Withdrawal: kind error (410), notice (readable with the reason) or replaced (redirect to replaced_by).
ALTER TABLE articles ADD COLUMN withdraw_kind VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN withdraw_reason VARCHAR(1000) NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN withdrawn_at {{time}} NULL;
ALTER TABLE articles ADD COLUMN replaced_by BIGINT NULL;
ALTER TABLE articles ADD COLUMN cover_url VARCHAR(500) NOT NULL DEFAULT '';
-- Provenance of a copy adopted from another tenant's submission.
ALTER TABLE articles ADD COLUMN origin_tenant_id BIGINT NULL;
ALTER TABLE articles ADD COLUMN origin_article_id BIGINT NULL;
ALTER TABLE articles ADD COLUMN origin_name VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN origin_url VARCHAR(500) NOT NULL DEFAULT '';
-- An edit of a published article waits here (a version id) for review while the published text stays online.
ALTER TABLE articles ADD COLUMN revision_id BIGINT NULL;
ALTER TABLE articles ADD COLUMN revision_status VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_articles_scheduled ON articles (status, scheduled_at);
CREATE INDEX ix_articles_state ON articles (tenant_id, status, updated_at);

-- Every save of an article keeps its whole text.
CREATE TABLE article_versions (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	article_id BIGINT NOT NULL,
	number INTEGER NOT NULL,
	column_id BIGINT NOT NULL,
	title VARCHAR(300) NOT NULL,
	subtitle VARCHAR(300) NOT NULL DEFAULT '',
	summary VARCHAR(1000) NOT NULL DEFAULT '',
	body {{text}} NOT NULL,
	source VARCHAR(200) NOT NULL DEFAULT '',
	author VARCHAR(100) NOT NULL DEFAULT '',
	keywords VARCHAR(200) NOT NULL DEFAULT '',
	cover_url VARCHAR(500) NOT NULL DEFAULT '',
	extra_columns VARCHAR(500) NOT NULL DEFAULT '',
	note VARCHAR(200) NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL DEFAULT 0,
	created_by_name VARCHAR(100) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	CONSTRAINT uq_versions_number UNIQUE (article_id, number),
	CONSTRAINT fk_versions_article FOREIGN KEY (article_id) REFERENCES articles (id)
) {{table}};
CREATE INDEX ix_versions_tenant ON article_versions (tenant_id, article_id);

-- Further columns an article appears in, beside its own column.
CREATE TABLE article_columns (
	tenant_id BIGINT NOT NULL,
	article_id BIGINT NOT NULL,
	column_id BIGINT NOT NULL,
	PRIMARY KEY (article_id, column_id)
) {{table}};
CREATE INDEX ix_article_columns_column ON article_columns (tenant_id, column_id);

-- Every state change of an article, for its history page (the audit log has them too).
CREATE TABLE article_history (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	article_id BIGINT NOT NULL,
	at {{time}} NOT NULL,
	actor_id BIGINT NOT NULL DEFAULT 0,
	actor_name VARCHAR(100) NOT NULL DEFAULT '',
	action VARCHAR(32) NOT NULL,
	from_status VARCHAR(16) NOT NULL DEFAULT '',
	to_status VARCHAR(16) NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 0,
	reason VARCHAR(1000) NOT NULL DEFAULT ''
) {{table}};
CREATE INDEX ix_history_article ON article_history (tenant_id, article_id, id);

-- The county office's lists for submit-time checks: forbidden and sensitive
-- words, and common serious mistakes with their correct form.
CREATE TABLE check_rules (
	id {{id}},
	kind VARCHAR(16) NOT NULL,
	pattern VARCHAR(200) NOT NULL,
	correction VARCHAR(200) NOT NULL DEFAULT '',
	level VARCHAR(8) NOT NULL DEFAULT 'block',
	note VARCHAR(300) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	CONSTRAINT uq_check_rules UNIQUE (kind, pattern)
) {{table}};

-- Editorial settings the county office changes (link checks, what a withdrawn source does to adopted copies).
CREATE TABLE editorial_settings (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	value VARCHAR(200) NOT NULL,
	updated_at {{time}} NOT NULL
) {{table}};

-- Tenants other than the portal that collect submissions, and the columns
-- of any collecting tenant that accept them (none listed: every list column).
CREATE TABLE submission_collectors (
	tenant_id BIGINT NOT NULL PRIMARY KEY,
	created_at {{time}} NOT NULL
) {{table}};
CREATE TABLE submission_columns (
	tenant_id BIGINT NOT NULL,
	column_id BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, column_id)
) {{table}};

-- 信息报送: one row per article submitted to one target column, or, for an
-- external target (the province's or the city's site), recorded by hand.
CREATE TABLE submissions (
	id {{id}},
	source_tenant_id BIGINT NOT NULL,
	source_article_id BIGINT NULL,
	title VARCHAR(300) NOT NULL,
	target_tenant_id BIGINT NULL,
	target_column_id BIGINT NULL,
	external_target VARCHAR(100) NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL DEFAULT 'pending',
	submitted_by BIGINT NOT NULL DEFAULT 0,
	submitted_by_name VARCHAR(100) NOT NULL DEFAULT '',
	submitted_at {{time}} NOT NULL,
	decided_by BIGINT NOT NULL DEFAULT 0,
	decided_by_name VARCHAR(100) NOT NULL DEFAULT '',
	decided_at {{time}} NULL,
	reason VARCHAR(1000) NOT NULL DEFAULT '',
	edited INTEGER NOT NULL DEFAULT 0,
	edit_note VARCHAR(1000) NOT NULL DEFAULT '',
	copy_article_id BIGINT NULL,
	source_withdrawn INTEGER NOT NULL DEFAULT 0,
	CONSTRAINT fk_submissions_source FOREIGN KEY (source_tenant_id) REFERENCES tenants (id)
) {{table}};
CREATE INDEX ix_submissions_target ON submissions (target_tenant_id, status, submitted_at);
CREATE INDEX ix_submissions_source ON submissions (source_tenant_id, submitted_at);
CREATE INDEX ix_submissions_article ON submissions (source_article_id);

-- Uploaded files (images, PDF, Word, Excel), stored under DATA/uploads/TENANT/.
CREATE TABLE attachments (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	token VARCHAR(64) NOT NULL,
	name VARCHAR(255) NOT NULL,
	path VARCHAR(500) NOT NULL,
	mime VARCHAR(100) NOT NULL,
	size BIGINT NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	created_by BIGINT NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	CONSTRAINT uq_attachments_token UNIQUE (token),
	CONSTRAINT fk_attachments_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) {{table}};
CREATE INDEX ix_attachments_tenant ON attachments (tenant_id, created_at);
