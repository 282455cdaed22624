-- Single sign-on (sso/) and roles per tenant (tenants/memberships.go).

-- A person as an identity provider knows them: one row per issuer + subject.
CREATE TABLE sso_accounts (
	id {{id}},
	issuer VARCHAR(255) NOT NULL,
	subject VARCHAR(255) NOT NULL,
	name VARCHAR(200) NOT NULL DEFAULT '',
	email VARCHAR(254) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	last_login_at {{time}} NULL,
	CONSTRAINT uq_sso_accounts_sub UNIQUE (issuer, subject)
) {{table}};

-- The central session: one per sign-in at the central account host. Every
-- host's cookie points at one of these, so ending it ends them all.
CREATE TABLE sso_sessions (
	id {{id}},
	account_id BIGINT NOT NULL,
	provider VARCHAR(32) NOT NULL,
	idp_sid VARCHAR(255) NOT NULL DEFAULT '',
	id_token {{text}} NOT NULL,
	mfa INTEGER NOT NULL DEFAULT 0,
	mfa_method VARCHAR(32) NOT NULL DEFAULT '',
	remote_addr VARCHAR(64) NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	last_seen_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL,
	ended_at {{time}} NULL,
	end_reason VARCHAR(32) NOT NULL DEFAULT '',
	CONSTRAINT fk_sso_sessions_account FOREIGN KEY (account_id) REFERENCES sso_accounts (id)
) {{table}};
CREATE INDEX ix_sso_sessions_account ON sso_sessions (account_id);
CREATE INDEX ix_sso_sessions_sid ON sso_sessions (idp_sid);

-- One host's cookie: the SHA-256 of its random value, bound to the host.
CREATE TABLE sso_host_sessions (
	token_hash CHAR(64) NOT NULL PRIMARY KEY,
	session_id BIGINT NOT NULL,
	host VARCHAR(253) NOT NULL,
	created_at {{time}} NOT NULL,
	CONSTRAINT fk_sso_host_sessions_session FOREIGN KEY (session_id) REFERENCES sso_sessions (id)
) {{table}};
CREATE INDEX ix_sso_host_sessions_session ON sso_host_sessions (session_id);

-- One-time tickets from the central host to a tenant host: single use,
-- seconds long, bound to the target host and return path.
CREATE TABLE sso_tickets (
	token_hash CHAR(64) NOT NULL PRIMARY KEY,
	session_id BIGINT NOT NULL,
	host VARCHAR(253) NOT NULL,
	return_path VARCHAR(2000) NOT NULL,
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL,
	used_at {{time}} NULL
) {{table}};
CREATE INDEX ix_sso_tickets_expires ON sso_tickets (expires_at);

-- Authorization requests in flight: state (hashed), nonce, PKCE verifier.
CREATE TABLE sso_auth_requests (
	state_hash CHAR(64) NOT NULL PRIMARY KEY,
	provider VARCHAR(32) NOT NULL,
	nonce VARCHAR(128) NOT NULL,
	verifier VARCHAR(128) NOT NULL,
	return_url VARCHAR(2000) NOT NULL,
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL
) {{table}};
CREATE INDEX ix_sso_auth_requests_expires ON sso_auth_requests (expires_at);

-- Back-channel logout tokens already acted on, kept until they expire.
CREATE TABLE sso_logout_tokens (
	token_hash CHAR(64) NOT NULL PRIMARY KEY,
	expires_at {{time}} NOT NULL
) {{table}};

-- A TOTP second factor enrolled on the platform (for providers that do not
-- assert one). enabled_at is NULL while enrolment is pending.
CREATE TABLE sso_totp (
	account_id BIGINT NOT NULL PRIMARY KEY,
	secret VARCHAR(128) NOT NULL,
	enabled_at {{time}} NULL,
	last_step BIGINT NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	CONSTRAINT fk_sso_totp_account FOREIGN KEY (account_id) REFERENCES sso_accounts (id)
) {{table}};

-- Keys the platform generates once and every replica shares (CSRF key,
-- the built-in provider's signing key).
CREATE TABLE sso_secrets (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	value {{text}} NOT NULL,
	created_at {{time}} NOT NULL
) {{table}};

-- Staff roles: tenant_id 0 is platform-wide (platform_admin). source says
-- who put the row there: a grant (web or CLI), the provider's groups claim
-- (replaced at each login), or the demo accounts of the default run.
CREATE TABLE memberships (
	id {{id}},
	account_id BIGINT NOT NULL,
	tenant_id BIGINT NOT NULL DEFAULT 0,
	role VARCHAR(32) NOT NULL,
	source VARCHAR(16) NOT NULL DEFAULT 'grant',
	granted_by VARCHAR(200) NOT NULL DEFAULT '',
	granted_at {{time}} NOT NULL,
	CONSTRAINT uq_memberships UNIQUE (account_id, tenant_id, role),
	CONSTRAINT fk_memberships_account FOREIGN KEY (account_id) REFERENCES sso_accounts (id)
) {{table}};
CREATE INDEX ix_memberships_tenant ON memberships (tenant_id);
