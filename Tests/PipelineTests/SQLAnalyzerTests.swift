import Testing
@testable import Analyzer

@Suite("SQL table finder")
struct SQLAnalyzerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let sql: String
        let tables: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "simple select", sql: "SELECT * FROM orders", tables: ["orders"]),
        Case(label: "case-insensitive keywords", sql: "select a from Orders o jOiN items i on i.o = o.id", tables: ["Orders", "items"]),
        Case(label: "schema-qualified", sql: "SELECT * FROM analytics.orders JOIN db.schema.t ON true", tables: ["analytics.orders", "db.schema.t"]),
        Case(label: "quoted identifiers", sql: "SELECT * FROM \"Sales\".\"Orders\" JOIN `proj`.`ds`.`t` ON 1=1 JOIN [dw].[dbo].[Dim] d ON 1=1",
             tables: ["Sales.Orders", "dw.dbo.Dim", "proj.ds.t"]),
        Case(label: "BigQuery whole-path backticks", sql: "SELECT * FROM `project.dataset.events`", tables: ["project.dataset.events"]),
        Case(label: "all join kinds", sql: """
            SELECT * FROM a
            INNER JOIN b ON 1=1 LEFT JOIN c ON 1=1 LEFT OUTER JOIN d ON 1=1 RIGHT JOIN e ON 1=1
            FULL OUTER JOIN f ON 1=1 CROSS JOIN g NATURAL JOIN h
            """, tables: ["a", "b", "c", "d", "e", "f", "g", "h"]),
        Case(label: "comma joins with aliases", sql: "SELECT * FROM a x, b AS y, c WHERE x.id = y.id", tables: ["a", "b", "c"]),
        Case(label: "comma after a join condition", sql: "SELECT * FROM a JOIN b ON a.id = b.id, c WHERE x IN (1, 2) GROUP BY p, q",
             tables: ["a", "b", "c"]),
        Case(label: "commas in SET, ORDER BY and GROUP BY are not tables",
             sql: "UPDATE t SET a = 1, b = 2 FROM s WHERE t.id = s.id; SELECT x FROM u ORDER BY y, z LIMIT 5, 10",
             tables: ["s", "t", "u"]),
        Case(label: "single CTE excluded", sql: "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", tables: ["orders"]),
        Case(label: "multiple CTEs and column lists", sql: """
            WITH a AS (SELECT * FROM t1), b (x, y) AS (SELECT * FROM t2 JOIN a ON true)
            SELECT * FROM a JOIN b ON true
            """, tables: ["t1", "t2"]),
        Case(label: "WITH RECURSIVE", sql: """
            WITH RECURSIVE tree AS (SELECT id FROM nodes WHERE parent IS NULL
              UNION ALL SELECT n.id FROM nodes n JOIN tree ON n.parent = tree.id)
            SELECT * FROM tree
            """, tables: ["nodes"]),
        Case(label: "materialized CTE", sql: "WITH x AS MATERIALIZED (SELECT 1 FROM t) SELECT * FROM x", tables: ["t"]),
        Case(label: "CTE scope is the statement", sql: "WITH t AS (SELECT 1) SELECT * FROM t; SELECT * FROM t", tables: ["t"]),
        Case(label: "qualified name equal to a CTE is a table", sql: "WITH orders AS (SELECT 1) SELECT * FROM shop.orders", tables: ["shop.orders"]),
        Case(label: "derived table alias", sql: "SELECT * FROM (SELECT * FROM inner_t) sub JOIN (SELECT 1) AS s2 ON true", tables: ["inner_t"]),
        Case(label: "derived table in comma list", sql: "SELECT * FROM (SELECT * FROM a) x, b", tables: ["a", "b"]),
        Case(label: "subquery in WHERE", sql: "SELECT * FROM a WHERE id IN (SELECT a_id FROM b WHERE EXISTS (SELECT 1 FROM c))", tables: ["a", "b", "c"]),
        Case(label: "table functions", sql: "SELECT * FROM generate_series(1, 5) g, t, LATERAL unnest(t.xs) AS u(x) JOIN json_each(t.j) ON true",
             tables: ["t"]),
        Case(label: "FROM inside function arguments", sql: "SELECT extract(year FROM created_at), substring(s FROM 2 FOR 3), trim(both ' ' from name) FROM t",
             tables: ["t"]),
        Case(label: "IS DISTINCT FROM", sql: "SELECT * FROM t WHERE a IS NOT DISTINCT FROM b", tables: ["t"]),
        Case(label: "INSERT INTO with column list", sql: "INSERT INTO analytics.daily (d, n) SELECT d, count(*) FROM events GROUP BY d", tables: ["analytics.daily", "events"]),
        Case(label: "INSERT INTO VALUES", sql: "insert into log values (1, 'from nowhere')", tables: ["log"]),
        Case(label: "UPDATE with FROM", sql: "UPDATE accounts AS a SET total = s.t FROM (SELECT 1 AS t) s, ledger l WHERE true", tables: ["accounts", "ledger"]),
        Case(label: "DELETE FROM and USING", sql: "DELETE FROM sessions USING users u WHERE u.id = sessions.user_id", tables: ["sessions", "users"]),
        Case(label: "MERGE INTO USING", sql: """
            MERGE INTO dim.customer AS t USING staging.customer s ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET name = s.name
            WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)
            """, tables: ["dim.customer", "staging.customer"]),
        Case(label: "MERGE with subquery source", sql: "MERGE INTO t USING (SELECT * FROM src) s ON t.id = s.id WHEN MATCHED THEN DELETE", tables: ["src", "t"]),
        Case(label: "JOIN USING columns", sql: "SELECT * FROM a JOIN b USING (id)", tables: ["a", "b"]),
        Case(label: "TRUNCATE", sql: "TRUNCATE TABLE staging.x; TRUNCATE y, z", tables: ["staging.x", "y", "z"]),
        Case(label: "CREATE TABLE AS", sql: "CREATE TABLE IF NOT EXISTS mart.summary AS SELECT * FROM mart.detail", tables: ["mart.detail", "mart.summary"]),
        Case(label: "ON CONFLICT DO UPDATE", sql: "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a", tables: ["t"]),
        Case(label: "line and block comments", sql: "-- FROM fake1\nSELECT /* FROM fake2 /* nested */ JOIN fake3 */ 1 FROM real_t", tables: ["real_t"]),
        Case(label: "string literals", sql: "SELECT 'FROM fake', 'it''s JOIN x', E'\\' FROM y' FROM t", tables: ["t"]),
        Case(label: "dollar quoting", sql: "SELECT $$ FROM fake $$, $tag$ JOIN x $tag$ FROM t WHERE id = $1", tables: ["t"]),
        Case(label: "dbt ref", sql: "select * from {{ ref('stg_orders') }}", tables: ["stg_orders"]),
        Case(label: "dbt ref with package and double quotes", sql: "select * from {{ ref(\"pkg\", \"orders\") }} o", tables: ["orders"]),
        Case(label: "dbt versioned ref", sql: "select * from {{ ref('orders', v=2) }}", tables: ["orders"]),
        Case(label: "dbt source", sql: "select * from {{ source('raw', 'events') }} e join {{ ref('users') }} u on true", tables: ["raw.events", "users"]),
        Case(label: "dbt CTE named like its ref", sql: "with orders as (select * from {{ ref('orders') }}) select * from orders", tables: ["orders"]),
        Case(label: "dbt this and config are not tables", sql: "{{ config(materialized='incremental') }} select * from {{ this }}", tables: []),
        Case(label: "Jinja statements and comments ignored", sql: """
            {# select * from {{ ref('commented') }} #}
            {% set cols = ['a', 'b'] %}
            select {% for c in cols %}{{ c }}{% if not loop.last %},{% endif %}{% endfor %} from t
            """, tables: ["t"]),
        Case(label: "keyword-like names after a dot", sql: "SELECT * FROM sys.table JOIN s.select ON true", tables: ["s.select", "sys.table"]),
        Case(label: "keyword-named columns after a dot", sql: "SELECT t.from, t.join, x FROM t", tables: ["t"]),
        Case(label: "CREATE VIEW", sql: "CREATE OR REPLACE VIEW mart.v AS SELECT * FROM mart.t", tables: ["mart.t", "mart.v"]),
        Case(label: "CTE before INSERT", sql: "WITH c AS (SELECT * FROM src) INSERT INTO dst SELECT * FROM c", tables: ["dst", "src"]),
        Case(label: "INSERT OVERWRITE TABLE", sql: "INSERT OVERWRITE TABLE lake.events SELECT * FROM raw.events", tables: ["lake.events", "raw.events"]),
        Case(label: "DROP TABLE list", sql: "DROP TABLE IF EXISTS a, b.c", tables: ["a", "b.c"]),
        Case(label: "table hints and locking", sql: "SELECT TOP 10 * FROM t WITH (NOLOCK) JOIN u AS \"U\" ON 1=1 FOR UPDATE", tables: ["t", "u"]),
        Case(label: "SELECT without FROM", sql: "SELECT 1 + 1", tables: []),
        Case(label: "duplicates collapse and sort", sql: "SELECT * FROM b JOIN a ON true JOIN b ON true", tables: ["a", "b"]),
    ]

    @Test(arguments: cases)
    func finds(_ c: Case) throws {
        #expect(try SQLAnalyzer.tables(in: c.sql) == c.tables)
    }

    @Test(arguments: [
        ("SELECT * FROM t /* open", "unterminated block comment (line 1)"),
        ("SELECT 'open FROM t", "unterminated string literal (line 1)"),
        ("SELECT *\nFROM {{ ref('x') ", "unterminated Jinja expression (line 2)"),
        ("SELECT * FROM \"open", "unterminated quoted identifier (line 1)"),
    ])
    func malformedInputIsAnError(_ sql: String, _ message: String) {
        #expect(throws: (any Error).self) { try SQLAnalyzer.tables(in: sql) }
        do {
            _ = try SQLAnalyzer.tables(in: sql)
        } catch {
            #expect(error.description == message)
        }
    }
}
