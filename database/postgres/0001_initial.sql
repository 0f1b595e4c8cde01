-- Customers, their behaviour and what is derived from it on ingest.

CREATE TABLE customers (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id        text UNIQUE,
    anonymous_id       text UNIQUE,
    email              text,
    phone              text,
    name               text,
    birthday           text,
    timezone           text,
    locale             text,
    traits             jsonb NOT NULL DEFAULT '{}',
    traits_updated_at  timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (external_id IS NOT NULL OR anonymous_id IS NOT NULL)
);
CREATE INDEX ix_customers_email ON customers (email);
CREATE INDEX ix_customers_phone ON customers (phone);

CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   text NOT NULL UNIQUE,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    type         text NOT NULL,
    name         text,
    properties   jsonb NOT NULL,
    context      jsonb,
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL
);
CREATE INDEX ix_events_customer_time ON events (customer_id, occurred_at);

-- One row per order id. A refund or delivery may arrive before the order itself:
-- the row then exists with completed_at NULL until 'Order Completed' fills it in.
CREATE TABLE orders (
    order_id         text PRIMARY KEY,
    customer_id      bigint NOT NULL REFERENCES customers (id),
    total            numeric(18, 4) NOT NULL DEFAULT 0,
    currency         text,
    coupon           text,
    discount         numeric(18, 4) NOT NULL DEFAULT 0,
    products         jsonb NOT NULL DEFAULT '[]',
    completed_at     timestamptz,
    refunded_amount  numeric(18, 4) NOT NULL DEFAULT 0,
    fully_refunded   boolean NOT NULL DEFAULT false,
    delivered_at     timestamptz
);
CREATE INDEX ix_orders_customer ON orders (customer_id, completed_at);

CREATE TABLE carts (
    customer_id  bigint PRIMARY KEY REFERENCES customers (id),
    items        jsonb NOT NULL,
    item_count   integer NOT NULL,
    value        numeric(18, 4) NOT NULL,
    currency     text,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE customer_stats (
    customer_id                bigint PRIMARY KEY REFERENCES customers (id),
    order_count                integer NOT NULL,
    total_spent                numeric(18, 4) NOT NULL,
    first_order_at             timestamptz,
    last_order_at              timestamptz,
    mean_order_interval_days   double precision
);
