-- The annual report (政府信息公开工作年度报告) of a tenant (scope 'unit')
-- or of the county (scope 'county', under the portal). Counts the module
-- computes are not stored: the report is computed from the data whenever
-- it is shown, except once published, when the computed figures are
-- frozen in figures_json with the staff's figures.
CREATE TABLE disclosure_reports (
	id {{id}},
	tenant_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	scope VARCHAR(8) NOT NULL,
	status VARCHAR(16) NOT NULL DEFAULT 'draft',
	overview {{text}} NOT NULL,
	problems {{text}} NOT NULL,
	other {{text}} NOT NULL,
	manual_json {{text}} NOT NULL,
	figures_json {{text}} NOT NULL,
	published_at {{time}} NULL,
	updated_at {{time}} NOT NULL,
	updated_by VARCHAR(100) NOT NULL DEFAULT ''
) {{table}};
CREATE UNIQUE INDEX ux_disclosure_report ON disclosure_reports (tenant_id, year, scope);
