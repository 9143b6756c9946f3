"""Fill the activity log with many rows fast, in SQL (a recursive CTE on SQLite, generate_series on PostgreSQL).

The rows look like real traffic: 1,000 users, 10,000 sessions, every category, spread over `span_days` that end
`age_days` ago (rows older than the retention period are what pruning deletes).
"""

import sqlite3
import time

_SQLITE = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
INSERT INTO activity_activitylog (
    timestamp, category, event, message, user_id, username, session_id, method, path, status_code, ip,
    user_agent, duration_ms, activity_type
)
SELECT
    strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (:age + (i * :span) / :rows) || ' seconds'),
    CASE WHEN i % 20 = 0 THEN 'SECURITY' WHEN i % 97 = 0 THEN 'ERROR' ELSE 'AUDIT' END,
    CASE WHEN i % 20 = 0 THEN 'login_succeeded' ELSE 'api_request' END,
    'API request: GET /api/auth/me',
    1000 + i % 1000,
    'user' || (i % 1000),
    printf('%032x', 1000000 + i % 10000),
    'GET', '/api/auth/me', 200, '10.0.' || (i % 250) || '.' || (i % 199),
    'bench/1.0', 1.5, 'read'
FROM n
"""

_POSTGRES = """
INSERT INTO activity_activitylog (
    timestamp, category, event, message, user_id, username, session_id, method, path, status_code, ip,
    user_agent, duration_ms, activity_type
)
SELECT
    now() - make_interval(secs => %(age)s + (i::float8 * %(span)s) / %(rows)s),
    CASE WHEN i %% 20 = 0 THEN 'SECURITY' WHEN i %% 97 = 0 THEN 'ERROR' ELSE 'AUDIT' END,
    CASE WHEN i %% 20 = 0 THEN 'login_succeeded' ELSE 'api_request' END,
    'API request: GET /api/auth/me',
    1000 + i %% 1000,
    'user' || (i %% 1000),
    md5((1000000 + i %% 10000)::text)::uuid,
    'GET', '/api/auth/me', 200, ('10.0.' || (i %% 250) || '.' || (i %% 199))::inet,
    'bench/1.0', 1.5, 'read'
FROM generate_series(1, %(rows)s) AS i
"""


def fill_sqlite(path: str, *, rows: int, age_days: float, span_days: float = 30) -> float:
    """Insert `rows` rows into the SQLite database at `path`; return the seconds it took."""
    started = time.perf_counter()
    conn = sqlite3.connect(path, timeout=60)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")  # 200 MB: the indexes are built in memory
        with conn:
            conn.execute(_SQLITE, {"rows": rows, "age": age_days * 86400, "span": span_days * 86400})
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return time.perf_counter() - started


def fill_postgres(url: str, *, rows: int, age_days: float, span_days: float = 30) -> float:
    """Insert `rows` rows into the PostgreSQL database at `url`; return the seconds it took."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_POSTGRES, {"rows": rows, "age": age_days * 86400, "span": span_days * 86400})
        conn.execute("VACUUM ANALYZE activity_activitylog")
    return time.perf_counter() - started
