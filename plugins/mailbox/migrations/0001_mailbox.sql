-- Letters (县长信箱, 书记信箱, a department's own mailbox). tenant_id is
-- the tenant whose mailbox received the letter; assigned_tenant_id the
-- department it was assigned (转办) to.
CREATE TABLE mailbox_letters (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	mailbox VARCHAR(32) NOT NULL,
	category VARCHAR(16) NOT NULL,
	subject VARCHAR(200) NOT NULL,
	content {{text}} NOT NULL,
	phone VARCHAR(32) NOT NULL DEFAULT '',
	consent INTEGER NOT NULL DEFAULT 0,
	number VARCHAR(32) NOT NULL,
	code_hash VARCHAR(64) NOT NULL,
	user_id BIGINT NOT NULL,
	remote_addr VARCHAR(64) NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL,
	assigned_tenant_id BIGINT NOT NULL DEFAULT 0,
	bounce_count INTEGER NOT NULL DEFAULT 0,
	flagged INTEGER NOT NULL DEFAULT 0,
	reason {{text}} NOT NULL,
	reply {{text}} NOT NULL,
	reply_status VARCHAR(16) NOT NULL DEFAULT '',
	published INTEGER NOT NULL DEFAULT 0,
	public_subject VARCHAR(200) NOT NULL DEFAULT '',
	public_content {{text}} NOT NULL,
	public_reply {{text}} NOT NULL,
	accepted_on VARCHAR(10) NOT NULL DEFAULT '',
	deadline VARCHAR(10) NOT NULL DEFAULT '',
	days INTEGER NOT NULL DEFAULT 0,
	deadline_explain {{text}} NOT NULL,
	ext_reason {{text}} NOT NULL,
	ext_days INTEGER NOT NULL DEFAULT 0,
	ext_status VARCHAR(16) NOT NULL DEFAULT '',
	rating VARCHAR(16) NOT NULL DEFAULT '',
	origin VARCHAR(32) NOT NULL DEFAULT '',
	origin_ref VARCHAR(64) NOT NULL DEFAULT '',
	reminded INTEGER NOT NULL DEFAULT 0,
	escalated INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	closed_at {{time}} NULL
) {{table}};
CREATE UNIQUE INDEX ux_mailbox_number ON mailbox_letters (number);
CREATE INDEX ix_mailbox_tenant ON mailbox_letters (tenant_id, status);
CREATE INDEX ix_mailbox_assigned ON mailbox_letters (tenant_id, assigned_tenant_id, status);
CREATE INDEX ix_mailbox_user ON mailbox_letters (tenant_id, user_id, created_at);

-- Every state change of a letter.
CREATE TABLE mailbox_history (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	letter_id BIGINT NOT NULL,
	at {{time}} NOT NULL,
	actor VARCHAR(64) NOT NULL,
	action VARCHAR(32) NOT NULL,
	from_status VARCHAR(16) NOT NULL,
	to_status VARCHAR(16) NOT NULL,
	note {{text}} NOT NULL
) {{table}};
CREATE INDEX ix_mailbox_history ON mailbox_history (tenant_id, letter_id, id);

-- Attachments of a letter (images, PDF), stored with the letter in one
-- transaction; never public.
CREATE TABLE mailbox_attachments (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	letter_id BIGINT NOT NULL,
	name VARCHAR(200) NOT NULL,
	content_type VARCHAR(64) NOT NULL,
	size BIGINT NOT NULL,
	data MEDIUMBLOB NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_mailbox_attachments ON mailbox_attachments (tenant_id, letter_id);
