-- Certificates, keys and ACME account data that certmagic keeps, shared by
-- every replica (a certmagic.Storage on the platform database). value is
-- base64, so that binary items (OCSP staples) fit a text column on both
-- databases. Keys are certmagic's paths ("certificates/<ca>/<name>/...").
CREATE TABLE cert_storage (
	k VARCHAR(700) {{bin}} NOT NULL PRIMARY KEY,
	value {{text}} NOT NULL,
	size BIGINT NOT NULL,
	modified {{time}} NOT NULL
) {{table}};

-- certmagic's distributed locks (obtaining, renewing a certificate): one
-- row per held lock, refreshed while held, stale once expired.
CREATE TABLE cert_locks (
	name VARCHAR(700) {{bin}} NOT NULL PRIMARY KEY,
	holder VARCHAR(64) NOT NULL,
	expires_at {{time}} NOT NULL
) {{table}};
