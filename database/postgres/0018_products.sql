-- The product catalog (issue 20): what shop events carry (name, category, brand, price, url, image), upserted per
-- ingest batch with the newest event winning (seen_at), and what only PUT/POST /v1/products sets: usage_days, whether
-- the product is replenished, and extra categories (a JSON array of strings).
CREATE TABLE products (
    product_id   text PRIMARY KEY,
    sku          text,
    name         text,
    category     text,
    brand        text,
    price        numeric(18, 4),
    url          text,
    image_url    text,
    usage_days   integer,
    replenish    boolean NOT NULL DEFAULT true,
    categories   text NOT NULL DEFAULT '[]',
    seen_at      timestamptz,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX ix_products_category ON products (category, product_id);

-- Purchase history per customer and product: the first and last purchase, how many orders named it and how many
-- units they held. One row per product a customer ever bought.
CREATE TABLE customer_products (
    customer_id      bigint NOT NULL REFERENCES customers (id),
    product_id       text NOT NULL,
    first_bought_at  timestamptz NOT NULL,
    last_bought_at   timestamptz NOT NULL,
    bought_count     integer NOT NULL,
    bought_quantity  integer NOT NULL,
    PRIMARY KEY (customer_id, product_id)
);

-- Product views per customer, product and UTC day, kept for the last 30 days: bounded whatever a customer browses.
CREATE TABLE product_views (
    customer_id  bigint NOT NULL REFERENCES customers (id),
    product_id   text NOT NULL,
    viewed_on    text NOT NULL,
    views        integer NOT NULL,
    last_viewed_at timestamptz NOT NULL,
    PRIMARY KEY (customer_id, product_id, viewed_on)
);

-- When each product a customer bought should be reordered (less the lead), written at order time; a new order of the
-- product replaces the row (and so reschedules it). claimed_at is set by the statement that claims it for a reminder.
CREATE TABLE replenishment_due (
    customer_id     bigint NOT NULL REFERENCES customers (id),
    product_id      text NOT NULL,
    bought_at       timestamptz NOT NULL,
    quantity        integer NOT NULL,
    cycle_days      numeric(10, 2) NOT NULL,
    cycle_source    text NOT NULL,
    due_at          timestamptz NOT NULL,
    claimed_at      timestamptz,
    PRIMARY KEY (customer_id, product_id)
);
CREATE INDEX ix_replenishment_due_open ON replenishment_due (due_at, customer_id) WHERE claimed_at IS NULL;
