-- Modules' files (a letter's attachments) in the platform's file store:
-- which module put which object for which tenant, so that only that
-- module reaches it for that tenant, the quota counts it, and the
-- sweeper keeps it.
CREATE TABLE module_files (
	id {{id}},
	module VARCHAR(64) NOT NULL,
	tenant_id BIGINT NOT NULL,
	blob_key VARCHAR(500) NOT NULL,
	name VARCHAR(255) NOT NULL,
	content_type VARCHAR(100) NOT NULL,
	size BIGINT NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	created_at {{time}} NOT NULL,
	CONSTRAINT uq_module_files_key UNIQUE (blob_key)
) {{table}};
CREATE INDEX ix_module_files_tenant ON module_files (tenant_id, module);
