-- One blob store for every uploaded file (core/blob). attachments.path
-- is the object's key in the store, as it was the path under
-- DATA/uploads, so an existing folder is the local store as it is.

-- A tenant's storage quota set by the county office; no row is the
-- platform's default (--upload-quota-mb).
CREATE TABLE tenant_quotas (
	tenant_id BIGINT NOT NULL PRIMARY KEY,
	quota_bytes BIGINT NOT NULL,
	updated_by VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL
) {{table}};

-- Videos (电视新闻): the MP4 is an attachment, the poster another; the
-- metadata comes from ffprobe when the server has it (0 when not).
CREATE TABLE videos (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	attachment_id BIGINT NOT NULL,
	poster_id BIGINT NULL,
	title VARCHAR(300) NOT NULL,
	description VARCHAR(2000) NOT NULL DEFAULT '',
	transcript {{text}} NOT NULL,
	duration_ms BIGINT NOT NULL DEFAULT 0,
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	column_id BIGINT NULL,
	published INTEGER NOT NULL DEFAULT 0,
	created_by BIGINT NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	CONSTRAINT fk_videos_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
	CONSTRAINT fk_videos_attachment FOREIGN KEY (attachment_id) REFERENCES attachments (id)
) {{table}};
CREATE INDEX ix_videos_tenant ON videos (tenant_id, column_id, published, created_at);

-- A chunked upload in progress. Chunks are objects under
-- tmp/<token>/ in the store (so any replica takes the next one);
-- received counts the bytes of whole chunks kept, head_sha256 is the
-- digest of the file's first bytes, so a resume with another file is
-- refused. Sessions expire; the sweeper removes them and their chunks.
CREATE TABLE upload_sessions (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	token VARCHAR(64) NOT NULL,
	name VARCHAR(255) NOT NULL,
	size BIGINT NOT NULL,
	chunk_size BIGINT NOT NULL,
	received BIGINT NOT NULL DEFAULT 0,
	head_sha256 VARCHAR(64) NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL,
	CONSTRAINT uq_upload_sessions_token UNIQUE (token)
) {{table}};
CREATE INDEX ix_upload_sessions_tenant ON upload_sessions (tenant_id, expires_at);
