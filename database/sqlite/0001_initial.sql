-- Customers, their behaviour and what is derived from it on ingest.
-- Times are stored as UTC text ('yyyy-MM-dd HH:mm:ss.fffffff+00:00'), which sorts in time order.
-- Amounts are REAL: NUMERIC would store 25 as an integer and 25.5 as a real, and readers that type a column by
-- its first value (Dapper does) would then fail on the other.

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    external_id        TEXT UNIQUE,
    anonymous_id       TEXT UNIQUE,
    email              TEXT,
    phone              TEXT,
    name               TEXT,
    birthday           TEXT,
    timezone           TEXT,
    locale             TEXT,
    traits             TEXT NOT NULL DEFAULT '{}',
    traits_updated_at  TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (external_id IS NOT NULL OR anonymous_id IS NOT NULL)
);
CREATE INDEX ix_customers_email ON customers (email);
CREATE INDEX ix_customers_phone ON customers (phone);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    type         TEXT NOT NULL,
    name         TEXT,
    properties   TEXT NOT NULL,
    context      TEXT,
    occurred_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX ix_events_customer_time ON events (customer_id, occurred_at);

-- One row per order id. A refund or delivery may arrive before the order itself:
-- the row then exists with completed_at NULL until 'Order Completed' fills it in.
CREATE TABLE orders (
    order_id         TEXT PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    total            REAL NOT NULL DEFAULT 0,
    currency         TEXT,
    coupon           TEXT,
    discount         REAL NOT NULL DEFAULT 0,
    products         TEXT NOT NULL DEFAULT '[]',
    completed_at     TEXT,
    refunded_amount  REAL NOT NULL DEFAULT 0,
    fully_refunded   INTEGER NOT NULL DEFAULT 0,
    delivered_at     TEXT
);
CREATE INDEX ix_orders_customer ON orders (customer_id, completed_at);

CREATE TABLE carts (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers (id),
    items        TEXT NOT NULL,
    item_count   INTEGER NOT NULL,
    value        REAL NOT NULL,
    currency     TEXT,
    updated_at   TEXT NOT NULL
);

CREATE TABLE customer_stats (
    customer_id                INTEGER PRIMARY KEY REFERENCES customers (id),
    order_count                INTEGER NOT NULL,
    total_spent                REAL NOT NULL,
    first_order_at             TEXT,
    last_order_at              TEXT,
    mean_order_interval_days   REAL
);
