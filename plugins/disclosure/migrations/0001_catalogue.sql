-- Proactive disclosure (主动公开): the county's category tree, every
-- tenant's catalogue items and their index-number sequences. The category
-- tree is defined once by the county office for every tenant and stored
-- under tenant id 0, which is no tenant; every other table belongs to the
-- tenant whose catalogue it is.
CREATE TABLE disclosure_categories (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	parent_id BIGINT NOT NULL DEFAULT 0,
	code VARCHAR(32) NOT NULL,
	name VARCHAR(100) NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_disclosure_category_code ON disclosure_categories (tenant_id, code);

-- A catalogue item (公开目录条目). index_no (索引号) is given at first
-- publication and never changes or is reused; drafts have none.
CREATE TABLE disclosure_items (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	category_id BIGINT NOT NULL,
	index_no VARCHAR(64) {{bin}} NULL,
	seq_year INTEGER NOT NULL DEFAULT 0,
	seq INTEGER NOT NULL DEFAULT 0,
	title VARCHAR(300) NOT NULL,
	publisher VARCHAR(200) NOT NULL,
	doc_no VARCHAR(100) NOT NULL DEFAULT '',
	topic_class VARCHAR(64) NOT NULL DEFAULT '',
	genre VARCHAR(64) NOT NULL DEFAULT '',
	written_on VARCHAR(10) NOT NULL,
	publish_due VARCHAR(10) NOT NULL DEFAULT '',
	published_at {{time}} NULL,
	validity VARCHAR(16) NOT NULL DEFAULT 'valid',
	superseded_by BIGINT NOT NULL DEFAULT 0,
	repealed_on VARCHAR(10) NOT NULL DEFAULT '',
	interprets_id BIGINT NOT NULL DEFAULT 0,
	keywords VARCHAR(300) NOT NULL DEFAULT '',
	summary {{text}} NOT NULL,
	body {{text}} NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'draft',
	withdraw_kind VARCHAR(16) NOT NULL DEFAULT '',
	withdraw_reason {{text}} NOT NULL,
	created_by BIGINT NOT NULL DEFAULT 0,
	created_by_name VARCHAR(100) NOT NULL DEFAULT '',
	reviewed_by BIGINT NOT NULL DEFAULT 0,
	review_note {{text}} NOT NULL,
	demo INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_disclosure_index_no ON disclosure_items (index_no);
CREATE INDEX ix_disclosure_items_list ON disclosure_items (tenant_id, status, category_id, published_at);
CREATE INDEX ix_disclosure_items_year ON disclosure_items (tenant_id, status, seq_year);

-- The next sequence number of a tenant's index numbers in a year.
CREATE TABLE disclosure_index_seq (
	tenant_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	next_seq INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, year)
) {{table}};

-- Files of items (the document's attachments) and of requests (identity
-- documents, answer enclosures). owner is 'item' or 'request'; a
-- request's files are never public and never indexed.
CREATE TABLE disclosure_files (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	owner VARCHAR(16) NOT NULL,
	owner_id BIGINT NOT NULL,
	purpose VARCHAR(16) NOT NULL DEFAULT '',
	name VARCHAR(200) NOT NULL,
	mime VARCHAR(100) NOT NULL,
	size BIGINT NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	data MEDIUMBLOB NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_disclosure_files_owner ON disclosure_files (tenant_id, owner, owner_id);
