-- Archives of the audit log: records older than the retention, written
-- out with their chain hashes before they leave the table. The newest
-- archive anchors the chain that stays: verification starts after its
-- last record, from its hash.
CREATE TABLE audit_archives (
	id {{id}},
	at {{time}} NOT NULL,
	from_seq BIGINT NOT NULL,
	to_seq BIGINT NOT NULL,
	last_hash VARCHAR(64) NOT NULL,
	records INTEGER NOT NULL,
	file VARCHAR(500) NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	actor VARCHAR(200) NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_audit_archives_to ON audit_archives (to_seq);
