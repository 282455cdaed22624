-- Tenants whose demo letters were written (once, on a platform that runs
-- with demo content).
CREATE TABLE mailbox_demo_seeded (
	tenant_id BIGINT NOT NULL PRIMARY KEY,
	seeded_at {{time}} NOT NULL
) {{table}};
