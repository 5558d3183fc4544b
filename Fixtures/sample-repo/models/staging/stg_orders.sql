-- Staging model for raw orders. The word FROM in this comment must not matter: from fake_table
{{ config(materialized='view') }}

with source as (
    select * from {{ source('shop_raw', 'orders') }}
),

renamed as (
    select
        id as order_id,
        customer_id,
        cast(created_at as timestamp) as ordered_at,
        extract(year from created_at) as order_year,
        'select * from not_a_table' as note,
        status
    from source
)

select * from renamed
