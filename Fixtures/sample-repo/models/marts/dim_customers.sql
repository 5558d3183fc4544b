{{ config(materialized='table') }}

WITH RECURSIVE
    customers AS (
        SELECT * FROM {{ ref('stg_customers') }}
    ),
    lifetime(customer_id, orders, value) AS (
        SELECT customer_id, count(*), sum(amount)
        FROM {{ ref('shop', 'fct_orders') }}
        GROUP BY customer_id
    )
SELECT
    c.customer_id,
    c.first_name,
    coalesce(l.orders, 0) AS lifetime_orders,
    seg.segment
FROM customers c
LEFT OUTER JOIN lifetime l USING (customer_id)
LEFT JOIN (
    SELECT customer_id, segment FROM `analytics`.`segments` WHERE active
) seg ON seg.customer_id = c.customer_id,
LATERAL unnest(c.tags) AS tag
