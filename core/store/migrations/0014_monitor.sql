-- The county office's monitoring thresholds (网站监测), by name; a
-- missing row is the platform's default (core/monitor.Defaults).
CREATE TABLE monitor_settings (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	value INTEGER NOT NULL,
	updated_by VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL
) {{table}};
