{{ config(materialized='table') }}

with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select * from {{ ref("stg_payments") }}
),

order_payments as (
    select
        order_id,
        sum(amount) as total_amount
    from payments
    group by 1
)

select
    o.order_id,
    o.customer_id,
    o.ordered_at,
    coalesce(op.total_amount, 0) as amount,
    fx.rate
from orders o
left join order_payments op on o.order_id = op.order_id
inner join finance.fx_rates fx on fx.day = cast(o.ordered_at as date)
where o.status is distinct from 'cancelled'
