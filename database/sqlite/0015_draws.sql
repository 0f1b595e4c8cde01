-- Points lucky draws (rules/draws/*.json). One row per entry, for audit: who, when, which draw and prize, the points
-- spent and won, and the random value that picked the prize. A request key is unique per customer (idempotency).
CREATE TABLE draw_entries (
    id               INTEGER PRIMARY KEY,
    draw             TEXT NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    request_key      TEXT NOT NULL,
    entered_at       TEXT NOT NULL,
    local_day        TEXT NOT NULL,
    points_spent     INTEGER NOT NULL,
    -- Filled in by the same transaction once the prize is picked.
    prize            TEXT,
    prize_kind       TEXT,
    points_won       INTEGER NOT NULL DEFAULT 0,
    coupon_code      TEXT,
    random_value     INTEGER,
    random_range     INTEGER,
    -- Prizes found out of stock before the pick, comma-separated: the pick ran over the others, in file order.
    out_of_stock     TEXT NOT NULL DEFAULT '',
    UNIQUE (customer_id, request_key)
);
CREATE INDEX ix_draw_entries_draw ON draw_entries (draw, id);

-- Prizes given per draw, claimed against the file's stock in the statement that takes one.
CREATE TABLE draw_prizes_given (
    draw   TEXT NOT NULL,
    prize  TEXT NOT NULL,
    given  INTEGER NOT NULL,
    PRIMARY KEY (draw, prize)
);

-- Entries per customer, draw and local day, claimed against the draw's daily limit.
CREATE TABLE draw_daily_entries (
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    draw         TEXT NOT NULL,
    local_day    TEXT NOT NULL,
    entries      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, draw, local_day)
);
