-- Users: what the server manages itself lives in columns (merged in when a
-- user is rendered); the client-writable SCIM representation (JSON, with the
-- derived `roles` and `entitlements`) lives in user_docs, so this table stays
-- narrow and scanning, counting and paging it is cheap.
CREATE TABLE users (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_name TEXT NOT NULL,
    -- lowercase: unique, so two accounts never differ by case alone
    user_name_key TEXT NOT NULL UNIQUE,
    -- folded (case and accents), for filters
    user_name_fold TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'archived')),
    role TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    last_active TEXT,
    credits_used INTEGER NOT NULL DEFAULT 0,
    invitation_sent_at TEXT,
    invitation_expires_at TEXT,
    invited_by TEXT,
    -- SHA-256 of the invitation link's token; a resend replaces it
    invitation_token_hash TEXT UNIQUE,
    sort_family TEXT,
    sort_given TEXT
);
CREATE TABLE user_docs (
    seq INTEGER PRIMARY KEY REFERENCES users (seq) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE INDEX users_status ON users (status);
CREATE INDEX users_user_name_fold ON users (user_name_fold);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_last_modified ON users (last_modified);
CREATE INDEX users_created ON users (created);
CREATE INDEX users_last_active ON users (last_active);
CREATE INDEX users_sort_family ON users (sort_family, sort_given);
CREATE INDEX users_sort_given ON users (sort_given);

CREATE TABLE groups (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    member_type TEXT NOT NULL CHECK (member_type IN ('User', 'Group')),
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (member_id);

-- Password hashes (argon2id, PHC strings). A user without a row cannot sign in
-- with a password.
CREATE TABLE passwords (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Refresh tokens, stored as SHA-256 of the token. Each use rotates it; a
-- reused (stolen) token revokes its whole family.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- API tokens for automation: a name, a role, a SHA-256 of the token.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The catalogue: roles and applications as JSON documents, so custom roles
-- are data, not code.
CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE departments (
    name TEXT PRIMARY KEY COLLATE NOCASE
);

-- Resources (tasks, monitors, reviews, cases) and who was granted access.
CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    name TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created TEXT NOT NULL
);
CREATE TABLE resource_grants (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, resource_id)
);
CREATE INDEX resource_grants_resource ON resource_grants (resource_id);

-- E-mail the server would send (invitations, password resets): kept here for
-- the admin to read, and sent by SMTP when that is configured.
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created TEXT NOT NULL
);
