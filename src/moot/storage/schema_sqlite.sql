-- migrations sha256: 6fb2616f176bc705b15834b4da85e204017c793d6374c365a769eaebc86cef67
-- The schema the migrations create on SQLite; written by `python -m moot.storage.schema`.
BEGIN;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE server_secrets (
	name TEXT NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE accounts (
	id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	"plan" TEXT NOT NULL, 
	created_at TEXT NOT NULL, rate_limits TEXT DEFAULT 'zoom' NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE users (
	id TEXT NOT NULL, 
	account_id TEXT NOT NULL, 
	email TEXT NOT NULL, 
	email_lower TEXT NOT NULL, 
	status TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_users_account_email UNIQUE (account_id, email_lower), 
	FOREIGN KEY(account_id) REFERENCES accounts (id)
);
CREATE TABLE apps (
	client_id TEXT NOT NULL, 
	account_id TEXT NOT NULL, 
	user_id TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (client_id), 
	FOREIGN KEY(account_id) REFERENCES accounts (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE TABLE meetings (
	id BIGINT NOT NULL, 
	account_id TEXT NOT NULL, 
	host_id TEXT NOT NULL, 
	type SMALLINT NOT NULL, 
	status TEXT NOT NULL, 
	sort_time TEXT NOT NULL, 
	end_time TEXT NOT NULL, 
	expires_at TEXT, 
	created_at TEXT NOT NULL, 
	deleted_at TEXT, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE registrants (
	id TEXT NOT NULL, 
	meeting_id BIGINT NOT NULL, 
	account_id TEXT NOT NULL, 
	email_lower TEXT NOT NULL, 
	status TEXT NOT NULL, 
	occurrence_ids TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
);
CREATE TABLE oauth_grants (
	id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	account_id TEXT NOT NULL, 
	user_id TEXT NOT NULL, 
	scopes TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	revoked_at TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(client_id) REFERENCES apps (client_id), 
	FOREIGN KEY(account_id) REFERENCES accounts (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE TABLE oauth_codes (
	code_hash TEXT NOT NULL, 
	grant_id TEXT NOT NULL, 
	redirect_uri TEXT NOT NULL, 
	code_challenge TEXT, 
	expires_at TEXT NOT NULL, 
	used_at TEXT, 
	PRIMARY KEY (code_hash), 
	FOREIGN KEY(grant_id) REFERENCES oauth_grants (id)
);
CREATE TABLE oauth_refresh_tokens (
	token_hash TEXT NOT NULL, 
	grant_id TEXT NOT NULL, 
	expires_at TEXT NOT NULL, 
	used_at TEXT, 
	PRIMARY KEY (token_hash), 
	FOREIGN KEY(grant_id) REFERENCES oauth_grants (id)
);
CREATE TABLE webhook_events (
	id INTEGER NOT NULL, 
	account_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	order_key TEXT NOT NULL, 
	event_ts BIGINT NOT NULL, 
	body TEXT NOT NULL, 
	fanned_out BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE webhook_deliveries (
	id INTEGER NOT NULL, 
	event_id BIGINT NOT NULL, 
	client_id TEXT NOT NULL, 
	order_key TEXT NOT NULL, 
	state TEXT NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at FLOAT NOT NULL, 
	lease_until FLOAT, 
	lease_owner TEXT, 
	tracking_id TEXT NOT NULL, 
	created_at TEXT NOT NULL, 
	delivered_at TEXT, 
	last_status INTEGER, 
	last_error TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(event_id) REFERENCES webhook_events (id)
);
CREATE TABLE webhook_attempts (
	id INTEGER NOT NULL, 
	delivery_id BIGINT NOT NULL, 
	number INTEGER NOT NULL, 
	at TEXT NOT NULL, 
	url TEXT NOT NULL, 
	status_code INTEGER, 
	latency_ms FLOAT NOT NULL, 
	error TEXT, 
	response TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(delivery_id) REFERENCES webhook_deliveries (id)
);
CREATE TABLE meeting_instances (
	id INTEGER NOT NULL, 
	uuid TEXT NOT NULL, 
	meeting_id BIGINT NOT NULL, 
	account_id TEXT NOT NULL, 
	host_id TEXT NOT NULL, 
	start_time TEXT NOT NULL, 
	end_time TEXT, 
	participant_seq INTEGER DEFAULT '0' NOT NULL, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
);
CREATE TABLE meeting_participants (
	id INTEGER NOT NULL, 
	instance_uuid TEXT NOT NULL, 
	user_id TEXT NOT NULL, 
	status TEXT NOT NULL, 
	join_time TEXT NOT NULL, 
	join_epoch BIGINT NOT NULL, 
	leave_time TEXT, 
	duration INTEGER, 
	doc TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(instance_uuid) REFERENCES meeting_instances (uuid) ON DELETE CASCADE
);
CREATE TABLE host_meeting_counts (
	account_id TEXT NOT NULL, 
	host_id TEXT NOT NULL, 
	slot SMALLINT NOT NULL, 
	listed BIGINT NOT NULL, 
	PRIMARY KEY (account_id, host_id, slot)
)
 WITHOUT ROWID

;
CREATE INDEX ix_users_account_status ON users (account_id, status, created_at, id);
CREATE INDEX ix_meetings_host_list ON meetings (host_id, sort_time, id, type, status, end_time, expires_at, deleted_at, account_id) WHERE deleted_at IS NULL;
CREATE INDEX ix_registrants_meeting_status ON registrants (meeting_id, status, created_at, id);
CREATE INDEX ix_registrants_meeting_email ON registrants (meeting_id, email_lower, created_at);
CREATE UNIQUE INDEX uq_registrants_live_email ON registrants (meeting_id, email_lower) WHERE status IN ('approved', 'pending');
CREATE INDEX ix_oauth_grants_user ON oauth_grants (user_id, client_id);
CREATE INDEX ix_oauth_codes_grant ON oauth_codes (grant_id);
CREATE INDEX ix_oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);
CREATE INDEX ix_webhook_events_pending ON webhook_events (fanned_out, id);
CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (client_id, order_key, state, event_id);
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts (delivery_id, number);
CREATE INDEX ix_meeting_instances_meeting ON meeting_instances (meeting_id, account_id, start_time, id);
CREATE UNIQUE INDEX uq_meeting_instances_live ON meeting_instances (meeting_id) WHERE end_time IS NULL;
CREATE INDEX ix_meeting_participants_instance ON meeting_participants (instance_uuid, id);
CREATE UNIQUE INDEX uq_meeting_participants_present ON meeting_participants (instance_uuid, user_id) WHERE leave_time IS NULL;
CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX ix_meetings_host_expiry ON meetings (host_id, expires_at, account_id, type, deleted_at, end_time, status) WHERE deleted_at IS NULL AND type <> 1;
CREATE INDEX ix_meetings_host_live ON meetings (host_id, sort_time, id, type, status, expires_at, deleted_at, account_id) WHERE deleted_at IS NULL AND status = 'started';
CREATE TRIGGER tr_meetings_count_insert AFTER INSERT ON meetings WHEN NEW.deleted_at IS NULL AND NEW.type <> 1 BEGIN INSERT INTO host_meeting_counts (account_id, host_id, slot, listed) SELECT NEW.account_id, NEW.host_id, 0, 1 WHERE NEW.deleted_at IS NULL AND NEW.type <> 1 ON CONFLICT (account_id, host_id, slot) DO UPDATE SET listed = listed + excluded.listed; END;
CREATE TRIGGER tr_meetings_count_delete AFTER DELETE ON meetings WHEN OLD.deleted_at IS NULL AND OLD.type <> 1 BEGIN INSERT INTO host_meeting_counts (account_id, host_id, slot, listed) SELECT OLD.account_id, OLD.host_id, 0, -1 WHERE OLD.deleted_at IS NULL AND OLD.type <> 1 ON CONFLICT (account_id, host_id, slot) DO UPDATE SET listed = listed + excluded.listed; END;
CREATE TRIGGER tr_meetings_count_update AFTER UPDATE OF account_id, host_id, type, deleted_at ON meetings WHEN OLD.account_id IS NOT NEW.account_id OR OLD.host_id IS NOT NEW.host_id OR OLD.type IS NOT NEW.type OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) BEGIN INSERT INTO host_meeting_counts (account_id, host_id, slot, listed) SELECT OLD.account_id, OLD.host_id, 0, -1 WHERE OLD.deleted_at IS NULL AND OLD.type <> 1 ON CONFLICT (account_id, host_id, slot) DO UPDATE SET listed = listed + excluded.listed; INSERT INTO host_meeting_counts (account_id, host_id, slot, listed) SELECT NEW.account_id, NEW.host_id, 0, 1 WHERE NEW.deleted_at IS NULL AND NEW.type <> 1 ON CONFLICT (account_id, host_id, slot) DO UPDATE SET listed = listed + excluded.listed; END;
INSERT INTO alembic_version (version_num) VALUES ('0008');
COMMIT;
