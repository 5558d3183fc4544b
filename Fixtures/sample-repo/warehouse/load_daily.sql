/* Daily load into the warehouse.
   Block comments are ignored: FROM old.table_in_comment */
BEGIN;

INSERT INTO analytics.daily_revenue (day, revenue)
SELECT o.ordered_at::date, sum(o.amount)
FROM analytics.orders o, analytics.refunds r
WHERE r.order_id = o.order_id
GROUP BY 1;

UPDATE analytics.customers AS c
SET lifetime_value = s.total
FROM (SELECT customer_id, sum(amount) AS total FROM analytics.orders GROUP BY 1) s
WHERE s.customer_id = c.customer_id;

MERGE INTO [dw].[dbo].[dim_product] AS t
USING staging.products AS s
ON t.sku = s.sku
WHEN MATCHED THEN UPDATE SET name = s.name
WHEN NOT MATCHED THEN INSERT (sku, name) VALUES (s.sku, s.name);

DELETE FROM analytics.sessions WHERE started_at < now() - interval '90 days';

TRUNCATE TABLE staging.products;

COMMIT;
