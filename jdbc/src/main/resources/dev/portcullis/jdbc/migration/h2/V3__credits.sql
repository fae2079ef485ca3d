-- Credits (issue 26): which balance a credential or an account takes its cost from, how that
-- balance refills (Limit.Refill's stored form), and the balances themselves. A balance is taken
-- by one conditional UPDATE per owner (see JdbcCredentialStore.takeCredits), so it never goes
-- below zero; the CHECK makes that a fact of the table, not only of the code.
ALTER TABLE ${prefix}credential ADD COLUMN credit_balance VARCHAR(512);
ALTER TABLE ${prefix}credential ADD COLUMN refill VARCHAR(64);
ALTER TABLE ${prefix}account ADD COLUMN credit_balance VARCHAR(512);
ALTER TABLE ${prefix}account ADD COLUMN refill VARCHAR(64);

CREATE TABLE ${prefix}credits (
    owner       VARCHAR(512) NOT NULL,
    remaining   BIGINT       NOT NULL,
    refilled_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT ${prefix}credits_pk PRIMARY KEY (owner),
    CONSTRAINT ${prefix}credits_remaining CHECK (remaining >= 0)
);
