-- The county office's monitoring thresholds (网站监测), by name; a
-- missing row is the platform's default (core/monitor.Defaults).
CREATE TABLE monitor_settings (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	value INTEGER NOT NULL,
	updated_by VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL
) {{table}};

-- Probes of every site's home page from inside the platform, about 20 a
-- day; a week of them gives each site's availability.
CREATE TABLE monitor_probes (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	at {{time}} NOT NULL,
	ok INTEGER NOT NULL,
	status INTEGER NOT NULL DEFAULT 0,
	millis INTEGER NOT NULL DEFAULT 0,
	error VARCHAR(200) NOT NULL DEFAULT ''
) {{table}};
CREATE INDEX ix_monitor_probes_at ON monitor_probes (at, tenant_id);

-- The word lists' verdict on each published article: checked again when
-- the article changes or the lists do (rules_hash), so new words reach
-- old articles.
CREATE TABLE monitor_text (
	article_id BIGINT NOT NULL PRIMARY KEY,
	tenant_id BIGINT NOT NULL,
	rules_hash VARCHAR(64) NOT NULL,
	blocks INTEGER NOT NULL,
	warnings INTEGER NOT NULL,
	summary VARCHAR(500) NOT NULL DEFAULT '',
	checked_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_monitor_text_tenant ON monitor_text (tenant_id, blocks, warnings);

-- Broken links the crawler found on each site's pages in its last run.
CREATE TABLE monitor_links (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	page VARCHAR(500) NOT NULL,
	href VARCHAR(1000) NOT NULL,
	external INTEGER NOT NULL DEFAULT 0,
	status INTEGER NOT NULL DEFAULT 0,
	error VARCHAR(200) NOT NULL DEFAULT '',
	checked_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_monitor_links_tenant ON monitor_links (tenant_id);

-- A site's yearly website report (政府网站工作年度报表): the values people
-- enter (JSON by field key); the platform's own counts are computed when
-- the report is shown, and frozen into values when it is published.
CREATE TABLE website_reports (
	tenant_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	vals {{text}} NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'draft',
	updated_by VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL,
	published_at {{time}} NULL,
	PRIMARY KEY (tenant_id, year)
) {{table}};
