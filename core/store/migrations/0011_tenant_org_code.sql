-- The unit's 统一社会信用代码 (GB 32100-2015, 18 characters) or, for a
-- unit that has none yet, its organisation code (GB 11714, 9 characters).
-- Modules read it from the tenant's facts: the disclosure catalogue's
-- 索引号 begins with it. Empty until the county office fills it in.
ALTER TABLE tenants ADD COLUMN org_code VARCHAR(18) NOT NULL DEFAULT '';
