-- Online interviews (在线访谈) of every tenant that enables the module.
-- Every table carries tenant_id; the SDK binds it in every statement.
CREATE TABLE interviews (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	title VARCHAR(200) NOT NULL,
	description {{text}} NOT NULL,
	host_name VARCHAR(100) NOT NULL DEFAULT '',
	starts_at {{time}} NOT NULL,
	duration_min INTEGER NOT NULL,
	announce_days INTEGER NOT NULL DEFAULT 3,
	video_url VARCHAR(500) NOT NULL DEFAULT '',
	published INTEGER NOT NULL DEFAULT 0,
	ended_at {{time}} NULL,
	after_due VARCHAR(10) NOT NULL DEFAULT '',
	transcript_at {{time}} NULL,
	summary {{text}} NOT NULL,
	demo INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_interviews_tenant ON interviews (tenant_id, starts_at);

-- Guests (嘉宾): name, post and photo, in order.
CREATE TABLE interview_guests (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	interview_id BIGINT NOT NULL,
	name VARCHAR(100) NOT NULL,
	post VARCHAR(200) NOT NULL DEFAULT '',
	photo_id BIGINT NOT NULL DEFAULT 0,
	sort INTEGER NOT NULL DEFAULT 0
) {{table}};
CREATE INDEX ix_interview_guests ON interview_guests (tenant_id, interview_id, sort);

-- Citizens' questions and their screening. queue_pos orders the guests'
-- queue (the order of approval); reason is told to the asker, note is
-- for staff only.
CREATE TABLE interview_questions (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	interview_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	user_name VARCHAR(100) NOT NULL DEFAULT '',
	body {{text}} NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'pending',
	reason VARCHAR(500) NOT NULL DEFAULT '',
	note VARCHAR(1000) NOT NULL DEFAULT '',
	merged_into BIGINT NOT NULL DEFAULT 0,
	queue_pos INTEGER NOT NULL DEFAULT 0,
	answered VARCHAR(8) NOT NULL DEFAULT '',
	answered_at {{time}} NULL,
	decided_by VARCHAR(100) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_interview_questions ON interview_questions (tenant_id, interview_id, status);
CREATE INDEX ix_interview_questions_user ON interview_questions (tenant_id, user_id);

-- Answers posted live (phase 'live') or after the interview ('after'),
-- rich text sanitized on write and on render, with an optional photo.
CREATE TABLE interview_answers (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	interview_id BIGINT NOT NULL,
	question_id BIGINT NOT NULL DEFAULT 0,
	speaker VARCHAR(100) NOT NULL,
	body {{text}} NOT NULL,
	photo_id BIGINT NOT NULL DEFAULT 0,
	photo_alt VARCHAR(200) NOT NULL DEFAULT '',
	phase VARCHAR(8) NOT NULL,
	created_by VARCHAR(100) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_interview_answers ON interview_answers (tenant_id, interview_id, id);

CREATE TABLE interview_photos (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	interview_id BIGINT NOT NULL,
	content_type VARCHAR(50) NOT NULL,
	data MEDIUMBLOB NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};

-- The live pages' event channels (sdk.EventLog): one channel per
-- interview, named by its id.
CREATE TABLE events (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	channel VARCHAR(64) NOT NULL,
	type VARCHAR(32) NOT NULL,
	data {{text}} NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_events_channel ON events (tenant_id, channel, id);
