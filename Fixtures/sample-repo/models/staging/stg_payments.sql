{{ config(materialized='view') }}

select
    id as payment_id,
    order_id,
    payment_method,
    amount / 100.0 as amount
from {{ source('stripe', 'payments') }}
{% if is_incremental() %}
where created > (select max(created) from {{ this }})
{% endif %}
