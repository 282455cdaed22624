-- The site inbox (站内消息): notices to a person from the platform and its
-- modules (a letter accepted, answered, its deadline extended), shown on
-- their account page until read and kept after.
CREATE TABLE notices (
	id {{id}},
	account_id BIGINT NOT NULL,
	tenant_id BIGINT NOT NULL,
	subject VARCHAR(200) NOT NULL,
	body {{text}} NOT NULL,
	path VARCHAR(500) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	read_at {{time}} NULL
) {{table}};
CREATE INDEX ix_notices_account ON notices (account_id, created_at);
CREATE INDEX ix_notices_unread ON notices (account_id, read_at);
