-- Points lucky draws (rules/draws/*.json). One row per entry, for audit: who, when, which draw and prize, the points
-- spent and won, and the random value that picked the prize. A request key is unique per customer (idempotency).
CREATE TABLE draw_entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draw             text NOT NULL,
    customer_id      bigint NOT NULL REFERENCES customers (id),
    request_key      text NOT NULL,
    entered_at       timestamptz NOT NULL,
    local_day        text NOT NULL,
    points_spent     integer NOT NULL,
    -- Filled in by the same transaction once the prize is picked.
    prize            text,
    prize_kind       text,
    points_won       integer NOT NULL DEFAULT 0,
    coupon_code      text,
    random_value     integer,
    random_range     integer,
    -- Prizes found out of stock before the pick, comma-separated: the pick ran over the others, in file order.
    out_of_stock     text NOT NULL DEFAULT '',
    UNIQUE (customer_id, request_key)
);
CREATE INDEX ix_draw_entries_draw ON draw_entries (draw, id);

-- Prizes given per draw, claimed against the file's stock in the statement that takes one.
CREATE TABLE draw_prizes_given (
    draw   text NOT NULL,
    prize  text NOT NULL,
    given  integer NOT NULL,
    PRIMARY KEY (draw, prize)
);

-- Entries per customer, draw and local day, claimed against the draw's daily limit.
CREATE TABLE draw_daily_entries (
    customer_id  bigint NOT NULL REFERENCES customers (id),
    draw         text NOT NULL,
    local_day    text NOT NULL,
    entries      integer NOT NULL,
    PRIMARY KEY (customer_id, draw, local_day)
);
