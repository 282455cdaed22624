-- Tenants: the portal and its sub-sites.
CREATE TABLE tenants (
	id {{id}},
	code VARCHAR(32) NOT NULL,
	name VARCHAR(200) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'active',
	sort INTEGER NOT NULL DEFAULT 0,
	sponsor VARCHAR(200) NOT NULL DEFAULT '',
	site_id_code VARCHAR(32) NOT NULL DEFAULT '',
	icp VARCHAR(100) NOT NULL DEFAULT '',
	psb VARCHAR(100) NOT NULL DEFAULT '',
	address VARCHAR(300) NOT NULL DEFAULT '',
	phone VARCHAR(64) NOT NULL DEFAULT '',
	email VARCHAR(200) NOT NULL DEFAULT '',
	theme_color VARCHAR(16) NOT NULL DEFAULT '',
	logo_url VARCHAR(500) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	archived_at {{time}} NULL,
	CONSTRAINT uq_tenants_code UNIQUE (code)
) {{table}};

-- Host names mapped to tenants; the primary one is the tenant's canonical host.
CREATE TABLE tenant_domains (
	host VARCHAR(253) NOT NULL PRIMARY KEY,
	tenant_id BIGINT NOT NULL,
	is_primary INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	CONSTRAINT fk_domains_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) {{table}};
CREATE INDEX ix_domains_tenant ON tenant_domains (tenant_id);

-- The county's standard column template (基本栏目统一), applied to every sub-site.
CREATE TABLE column_template (
	slug VARCHAR(64) NOT NULL PRIMARY KEY,
	parent_slug VARCHAR(64) NOT NULL DEFAULT '',
	name VARCHAR(100) NOT NULL,
	type VARCHAR(16) NOT NULL DEFAULT 'list',
	link_url VARCHAR(500) NOT NULL DEFAULT '',
	description VARCHAR(500) NOT NULL DEFAULT '',
	keywords VARCHAR(200) NOT NULL DEFAULT '',
	sort INTEGER NOT NULL DEFAULT 0,
	updated_at {{time}} NOT NULL
) {{table}};

-- Each tenant's column tree.
CREATE TABLE site_columns (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	parent_id BIGINT NULL,
	slug VARCHAR(64) NOT NULL,
	name VARCHAR(100) NOT NULL,
	type VARCHAR(16) NOT NULL DEFAULT 'list',
	link_url VARCHAR(500) NOT NULL DEFAULT '',
	description VARCHAR(500) NOT NULL DEFAULT '',
	keywords VARCHAR(200) NOT NULL DEFAULT '',
	sort INTEGER NOT NULL DEFAULT 0,
	hidden INTEGER NOT NULL DEFAULT 0,
	template_slug VARCHAR(64) NULL,
	created_at {{time}} NOT NULL,
	CONSTRAINT uq_columns_slug UNIQUE (tenant_id, slug),
	CONSTRAINT fk_columns_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) {{table}};

-- Articles. published_at is written by the server when it publishes, never by a form.
CREATE TABLE articles (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	column_id BIGINT NOT NULL,
	title VARCHAR(300) NOT NULL,
	subtitle VARCHAR(300) NOT NULL DEFAULT '',
	summary VARCHAR(1000) NOT NULL DEFAULT '',
	body {{text}} NOT NULL,
	source VARCHAR(200) NOT NULL DEFAULT '',
	author VARCHAR(100) NOT NULL DEFAULT '',
	keywords VARCHAR(200) NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL DEFAULT 'draft',
	demo INTEGER NOT NULL DEFAULT 0,
	published_at {{time}} NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	CONSTRAINT fk_articles_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
	CONSTRAINT fk_articles_column FOREIGN KEY (column_id) REFERENCES site_columns (id)
) {{table}};
CREATE INDEX ix_articles_column ON articles (tenant_id, column_id, status, published_at);
CREATE INDEX ix_articles_tenant ON articles (tenant_id, status, published_at);

-- Who did what, where and when; written only, never edited from the web.
CREATE TABLE audit_log (
	id {{id}},
	at {{time}} NOT NULL,
	actor VARCHAR(200) NOT NULL,
	action VARCHAR(100) NOT NULL,
	tenant_id BIGINT NULL,
	target VARCHAR(300) NOT NULL DEFAULT '',
	detail {{text}} NOT NULL,
	remote_addr VARCHAR(64) NOT NULL DEFAULT '',
	result VARCHAR(16) NOT NULL DEFAULT 'ok'
) {{table}};
CREATE INDEX ix_audit_at ON audit_log (at);
CREATE INDEX ix_audit_tenant ON audit_log (tenant_id, at);
