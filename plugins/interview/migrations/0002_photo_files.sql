-- A photo's bytes live in the platform's file store (blob_key) when the
-- host offers one; data keeps them only on a host without it.
ALTER TABLE interview_photos ADD COLUMN blob_key VARCHAR(300) NOT NULL DEFAULT '';
