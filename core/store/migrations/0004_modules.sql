-- Modules (plugins) enabled per tenant by the county office, with the
-- tenant's settings of the module. Disabling keeps the row (enabled = 0)
-- and the module keeps its data: enabling again brings both back.
CREATE TABLE tenant_modules (
	tenant_id BIGINT NOT NULL,
	module VARCHAR(32) NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	settings {{text}} NOT NULL,
	updated_at {{time}} NOT NULL,
	updated_by VARCHAR(200) NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, module),
	CONSTRAINT fk_tenant_modules_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) {{table}};
CREATE INDEX ix_tenant_modules_module ON tenant_modules (module, enabled);

-- What each running host reports about its module processes, every few
-- seconds, so that `yiwang plugins list` in another process (or on
-- another replica) can show them.
CREATE TABLE module_processes (
	instance VARCHAR(200) NOT NULL,
	module VARCHAR(32) NOT NULL,
	version VARCHAR(64) NOT NULL DEFAULT '',
	state VARCHAR(16) NOT NULL,
	pid INTEGER NOT NULL DEFAULT 0,
	restarts INTEGER NOT NULL DEFAULT 0,
	started_at {{time}} NULL,
	last_error VARCHAR(500) NOT NULL DEFAULT '',
	heartbeat_at {{time}} NOT NULL,
	PRIMARY KEY (instance, module)
) {{table}};
