-- An unterminated block comment makes this file unreadable for the analyzer.
select * from analytics.orders
/* never closed
