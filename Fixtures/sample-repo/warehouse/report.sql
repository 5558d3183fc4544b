-- Report with a CTE that shadows nothing and a subquery alias that is not a table.
WITH top_customers AS (
    SELECT customer_id FROM analytics.orders GROUP BY customer_id ORDER BY count(*) DESC LIMIT 10
), recent AS (
    SELECT * FROM analytics.orders WHERE ordered_at > current_date - 7
)
SELECT t.customer_id, x.n, 'JOIN fake ON true' AS s
FROM top_customers t
JOIN (SELECT customer_id, count(*) AS n FROM recent GROUP BY 1) x ON x.customer_id = t.customer_id
CROSS JOIN generate_series(1, 3) AS g(i);
