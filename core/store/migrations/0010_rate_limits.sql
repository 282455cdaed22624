-- Rate-limit counters shared by every host process: one row per key and
-- fixed window (win = unix seconds / window length). A limiter reads the
-- current and the previous window to estimate a sliding one. Rows are
-- swept once expired (expires is unix seconds).
CREATE TABLE rate_hits (
	k VARCHAR(191) {{bin}} NOT NULL,
	win BIGINT NOT NULL,
	hits INTEGER NOT NULL,
	expires BIGINT NOT NULL,
	PRIMARY KEY (k, win)
) {{table}};

CREATE INDEX rate_hits_expires ON rate_hits (expires);
