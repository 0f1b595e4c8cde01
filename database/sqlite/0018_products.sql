-- Amounts and cycles are REAL, as in 0001. The product catalog (issue 20): what shop events carry (name, category, brand, price, url, image), upserted per
-- ingest batch with the newest event winning (seen_at), and what only PUT/POST /v1/products sets: usage_days, whether
-- the product is replenished, and extra categories (a JSON array of strings).
CREATE TABLE products (
    product_id   TEXT PRIMARY KEY,
    sku          TEXT,
    name         TEXT,
    category     TEXT,
    brand        TEXT,
    price        REAL,
    url          TEXT,
    image_url    TEXT,
    usage_days   INTEGER,
    replenish    INTEGER NOT NULL DEFAULT 1,
    categories   TEXT NOT NULL DEFAULT '[]',
    seen_at      TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX ix_products_category ON products (category, product_id);

-- Purchase history per customer and product: the first and last purchase, how many orders named it and how many
-- units they held. One row per product a customer ever bought.
CREATE TABLE customer_products (
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    product_id       TEXT NOT NULL,
    first_bought_at  TEXT NOT NULL,
    last_bought_at   TEXT NOT NULL,
    bought_count     INTEGER NOT NULL,
    bought_quantity  INTEGER NOT NULL,
    PRIMARY KEY (customer_id, product_id)
);

-- Product views per customer, product and UTC day, kept for the last 30 days: bounded whatever a customer browses.
CREATE TABLE product_views (
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    product_id   TEXT NOT NULL,
    viewed_on    TEXT NOT NULL,
    views        INTEGER NOT NULL,
    last_viewed_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, product_id, viewed_on)
);

-- When each product a customer bought should be reordered (less the lead), written at order time; a new order of the
-- product replaces the row (and so reschedules it). claimed_at is set by the statement that claims it for a reminder.
CREATE TABLE replenishment_due (
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    product_id      TEXT NOT NULL,
    bought_at       TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    cycle_days      REAL NOT NULL,
    cycle_source    TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    claimed_at      TEXT,
    PRIMARY KEY (customer_id, product_id)
);
CREATE INDEX ix_replenishment_due_open ON replenishment_due (due_at, customer_id) WHERE claimed_at IS NULL;
