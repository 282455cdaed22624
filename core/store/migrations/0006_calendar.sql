-- The county office's corrections to the official working-day calendar:
-- days it lists (a holiday or a make-up working day), laid over the State
-- Council's dates, and years it declares complete (a new year's notice).
CREATE TABLE calendar_days (
	day VARCHAR(10) NOT NULL PRIMARY KEY,
	off INTEGER NOT NULL,
	holiday VARCHAR(50) NOT NULL DEFAULT '',
	source VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL,
	updated_by VARCHAR(200) NOT NULL
) {{table}};

CREATE TABLE calendar_years (
	year INTEGER NOT NULL PRIMARY KEY,
	source VARCHAR(200) NOT NULL DEFAULT '',
	updated_at {{time}} NOT NULL,
	updated_by VARCHAR(200) NOT NULL
) {{table}};
