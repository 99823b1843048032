-- Issue 5: the lifecycle and history of users.

-- What happened to each e-mail: queued (no SMTP configured, the admin reads
-- it here), sent, or failed (with the reason).
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'invitation';
ALTER TABLE outbox ADD COLUMN user_id TEXT;
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'sent', 'failed'));
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
ALTER TABLE outbox ADD COLUMN error TEXT;
CREATE INDEX outbox_user ON outbox (user_id);

-- Password reset links, stored as SHA-256 of the token; each works once.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- The account: one row, holding the credit balance every user's spending is
-- charged to.
CREATE TABLE account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    credit_balance INTEGER NOT NULL CHECK (credit_balance >= 0)
);
INSERT INTO account (id, name, credit_balance) VALUES (1, 'Roster', 100000);

-- What users spent their credits on.
CREATE TABLE usage_events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application TEXT NOT NULL,
    description TEXT NOT NULL,
    credits INTEGER NOT NULL CHECK (credits >= 0),
    created TEXT NOT NULL
);
CREATE INDEX usage_events_user ON usage_events (user_id, seq);

-- Every administrator action: who, what, when, the state before and after.
-- Not tied to users by a foreign key: the log outlives the people in it.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id TEXT,
    target TEXT,
    summary TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_target ON audit_log (target_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
