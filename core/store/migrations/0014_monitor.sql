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
