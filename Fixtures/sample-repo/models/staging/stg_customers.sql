{#
  Customers from the CRM export. Jinja comment: {{ ref('should_not_count') }}
#}
{{ config(materialized="view") }}

WITH customers AS (
    SELECT * FROM {{ source("crm", "customers") }}
)
SELECT
    c.id AS customer_id,
    c.first_name,
    c.last_name,
    r.region_name
FROM customers c
LEFT JOIN "reference"."regions" r ON r.id = c.region_id
