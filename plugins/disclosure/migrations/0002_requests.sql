-- Disclosure on request (依申请公开). tenant_id is the tenant whose office
-- answers (the applicant chose it); user_id the applicant's platform
-- account. Dates are calendar dates (YYYY-MM-DD) in China Standard Time;
-- due_on is recomputed from received_on, the stops and the extension.
CREATE TABLE disclosure_requests (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	number VARCHAR(32) NOT NULL,
	user_id BIGINT NOT NULL,
	applicant_kind VARCHAR(24) NOT NULL,
	applicant_name VARCHAR(100) NOT NULL,
	id_type VARCHAR(32) NOT NULL DEFAULT '',
	id_number VARCHAR(64) NOT NULL DEFAULT '',
	org_code VARCHAR(32) NOT NULL DEFAULT '',
	contact_person VARCHAR(100) NOT NULL DEFAULT '',
	phone VARCHAR(32) NOT NULL DEFAULT '',
	email VARCHAR(100) NOT NULL DEFAULT '',
	address VARCHAR(300) NOT NULL DEFAULT '',
	description {{text}} NOT NULL,
	purpose {{text}} NOT NULL,
	medium VARCHAR(16) NOT NULL,
	delivery VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL,
	received_on VARCHAR(10) NOT NULL,
	clock_from VARCHAR(10) NOT NULL,
	consult_days INTEGER NOT NULL DEFAULT 0,
	due_on VARCHAR(10) NOT NULL DEFAULT '',
	due_explain {{text}} NOT NULL,
	stop_kind VARCHAR(16) NOT NULL DEFAULT '',
	stop_since VARCHAR(10) NOT NULL DEFAULT '',
	stop_until VARCHAR(10) NOT NULL DEFAULT '',
	extension_days INTEGER NOT NULL DEFAULT 0,
	extension_by VARCHAR(100) NOT NULL DEFAULT '',
	extension_reason {{text}} NOT NULL,
	outcome VARCHAR(24) NOT NULL DEFAULT '',
	ground VARCHAR(32) NOT NULL DEFAULT '',
	answer {{text}} NOT NULL,
	answered_on VARCHAR(10) NOT NULL DEFAULT '',
	answered_by VARCHAR(100) NOT NULL DEFAULT '',
	reminded INTEGER NOT NULL DEFAULT 0,
	escalated INTEGER NOT NULL DEFAULT 0,
	demo INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	closed_at {{time}} NULL
) {{table}};
CREATE UNIQUE INDEX ux_disclosure_request_number ON disclosure_requests (number);
CREATE INDEX ix_disclosure_requests_tenant ON disclosure_requests (tenant_id, status, due_on);
CREATE INDEX ix_disclosure_requests_user ON disclosure_requests (tenant_id, user_id, created_at);
CREATE INDEX ix_disclosure_requests_year ON disclosure_requests (tenant_id, received_on);

-- Every step of a request: received, correction asked and answered,
-- consultation begun and ended, extension, answer, withdrawal, reminders.
-- days is the working days the step stops or adds, when it does.
CREATE TABLE disclosure_request_events (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	request_id BIGINT NOT NULL,
	at {{time}} NOT NULL,
	actor VARCHAR(100) NOT NULL,
	kind VARCHAR(24) NOT NULL,
	from_status VARCHAR(16) NOT NULL DEFAULT '',
	to_status VARCHAR(16) NOT NULL DEFAULT '',
	days INTEGER NOT NULL DEFAULT 0,
	note {{text}} NOT NULL
) {{table}};
CREATE INDEX ix_disclosure_request_events ON disclosure_request_events (tenant_id, request_id, id);
