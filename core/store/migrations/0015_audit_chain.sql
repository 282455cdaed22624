-- The audit log's hash chain: a sealer gives every record, in the order
-- it seals them, the next number of the chain and the hash of the record
-- with the hash before it, so that a changed, removed or inserted record
-- breaks the chain where it is. Records wait unsealed for seconds.
ALTER TABLE audit_log ADD COLUMN seal_seq BIGINT NULL;
ALTER TABLE audit_log ADD COLUMN hash VARCHAR(64) NOT NULL DEFAULT '';
CREATE UNIQUE INDEX ux_audit_seal_seq ON audit_log (seal_seq);

-- Each verification of the chain and what it found, for the county
-- console.
CREATE TABLE audit_verifications (
	id {{id}},
	at {{time}} NOT NULL,
	sealed BIGINT NOT NULL,
	unsealed BIGINT NOT NULL,
	problems INTEGER NOT NULL,
	detail {{text}} NOT NULL
) {{table}};
