-- Orders that used a coupon, for the price-sensitive tag.
ALTER TABLE customer_stats ADD COLUMN coupon_order_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_customer_tags_tag ON customer_tags (tag);
