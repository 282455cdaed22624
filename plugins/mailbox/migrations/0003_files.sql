-- A letter's files go to the platform's file store when the host offers
-- it (sdk.Host.PutFile): blob_key is the host's key and data is empty.
-- Files stored before, or on a host without the store, keep their bytes
-- in data with an empty key.
ALTER TABLE mailbox_attachments ADD COLUMN blob_key VARCHAR(500) NOT NULL DEFAULT '';
