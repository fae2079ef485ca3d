-- Portcullis credential store, PostgreSQL. ${prefix} is the table prefix (default portcullis_).
-- COLLATE "C": ids page in code-point order (what Java's String.compareTo gives) whatever the
-- database locale, and names match byte for byte.

CREATE TABLE ${prefix}credential (
    id               VARCHAR(64)  COLLATE "C" NOT NULL,
    account          VARCHAR(255) COLLATE "C" NOT NULL,
    name             VARCHAR(255) NOT NULL,
    kind             VARCHAR(16)  NOT NULL,
    key_prefix       VARCHAR(32),
    username         VARCHAR(320) COLLATE "C",
    secret_hash      VARCHAR(512) NOT NULL,
    password_profile VARCHAR(32),
    grants           TEXT         NOT NULL,
    allowlist        TEXT         NOT NULL,
    rate_limit       TEXT,
    channels         VARCHAR(64)  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE,
    lifetime         VARCHAR(64),
    revoked_at       TIMESTAMP WITH TIME ZONE,
    version          BIGINT       NOT NULL,
    change_seq       BIGINT       NOT NULL,
    CONSTRAINT ${prefix}credential_pk PRIMARY KEY (id),
    CONSTRAINT ${prefix}credential_username UNIQUE (username)
);
-- listByAccount: WHERE account = ? AND id > ? ORDER BY id
CREATE INDEX ${prefix}credential_account ON ${prefix}credential (account, id);
-- feed catch-up after lost history: WHERE change_seq > ?
CREATE INDEX ${prefix}credential_change ON ${prefix}credential (change_seq);

CREATE TABLE ${prefix}account (
    account      VARCHAR(255) COLLATE "C" NOT NULL,
    suspended_at TIMESTAMP WITH TIME ZONE,
    rate_limit   TEXT,
    version      BIGINT NOT NULL,
    change_seq   BIGINT NOT NULL,
    CONSTRAINT ${prefix}account_pk PRIMARY KEY (account)
);
CREATE INDEX ${prefix}account_change ON ${prefix}account (change_seq);

-- One row per (credential, item): 'last' (latest use), 'count:OUTCOME', 'net:CIDR'.
-- A flush is one batched upsert that adds to these rows.
CREATE TABLE ${prefix}usage (
    key_id  VARCHAR(64)  COLLATE "C" NOT NULL,
    item    VARCHAR(255) COLLATE "C" NOT NULL,
    n       BIGINT NOT NULL,
    last_at TIMESTAMP WITH TIME ZONE,
    address VARCHAR(100),
    CONSTRAINT ${prefix}usage_pk PRIMARY KEY (key_id, item)
);

-- The change feed: one row per committed write, numbered by a sequence taken before commit.
CREATE SEQUENCE ${prefix}change_seq CACHE 1;
CREATE TABLE ${prefix}change (
    seq         BIGINT       NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    ref         VARCHAR(255) NOT NULL,
    version     BIGINT       NOT NULL,
    usernames   TEXT         NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ${prefix}change_pk PRIMARY KEY (seq)
);
CREATE INDEX ${prefix}change_recorded ON ${prefix}change (recorded_at);

-- pruned_through: the highest sequence number whose row pruning may have deleted.
CREATE TABLE ${prefix}feed_state (
    id             INTEGER NOT NULL,
    pruned_through BIGINT  NOT NULL,
    CONSTRAINT ${prefix}feed_state_pk PRIMARY KEY (id)
);
INSERT INTO ${prefix}feed_state (id, pruned_through) VALUES (1, 0);
