"""Seeding a province-sized data set for the reports benchmark, in SQL on PostgreSQL
(``generate_series``, one ``INSERT … SELECT`` per table: no row crosses into Python).

Units: one province, ``communes`` communes with ten villages each; three members per commune.
Residents live in villages. Guide runs follow each guide's real main path to a random depth
over the past year; the funnel rollup and the events (``message_in``, ``step_reached``,
``reply_out`` per step walked, ``flow_started``, ``flow_completed``) are derived from the
same runs, so the three agree as the recorder would have written them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

STEPS = [
    ("units", """
        INSERT INTO units (id, parent_id, level, name, name_key, team_name, team_phone, source,
                           updated_at)
        SELECT 'p', NULL, 'province', 'Tỉnh Mẫu', 'mau', 'Tổ CNS tỉnh', '0200 000 000',
               'csv', now()
        UNION ALL
        SELECT 'c' || c, 'p', 'commune', 'Xã ' || c, 'xa ' || c, 'Tổ CNS xã ' || c,
               '09' || lpad(c::text, 8, '0'), 'csv', now()
        FROM generate_series(1, :communes) c
        UNION ALL
        SELECT 'c' || c || '_' || v, 'c' || c, 'village', 'Thôn ' || v, 'thon ' || v, NULL,
               NULL, 'csv', now()
        FROM generate_series(1, :communes) c, generate_series(1, 10) v"""),
    ("members", """
        INSERT INTO team_members (unit_id, telegram_user, name, active, created_at)
        SELECT 'c' || c, 900000000 + c * 10 + m, 'Thành viên ' || m, true, now()
        FROM generate_series(1, :communes) c, generate_series(1, 3) m"""),
    ("residents", """
        INSERT INTO residents (channel, external_id, state, version, commune, active,
                               created_at, updated_at)
        SELECT 'web', 'bench-' || r, '{}', 0,
               'c' || (1 + r % :communes) || '_' || (1 + (r / :communes) % 10), true,
               now(), now()
        FROM generate_series(1, :residents) r"""),
    ("runs", """
        CREATE TEMPORARY TABLE bench_runs AS
        SELECT n AS id, r.id AS resident_id, r.commune AS unit_id, f.flow_id,
               CAST(:today AS date) - (random() * 364)::int AS started_on,
               1 + floor(random() * f.length)::int AS depth, f.length,
               CASE WHEN random() < 0.3 THEN m.id END AS member_id, random() AS luck
        FROM generate_series(1, :runs) n
        JOIN residents r ON r.id = 1 + (hashint4(n) & 2147483647) % :residents
        JOIN bench_flows f ON f.number = n % (SELECT count(*) FROM bench_flows)
        LEFT JOIN (SELECT unit_id, min(id) AS id FROM team_members GROUP BY unit_id) m
          ON m.unit_id = split_part(r.commune, '_', 1)"""),
    ("guide_runs", """
        INSERT INTO guide_runs (id, resident_id, flow_id, unit_id, member_id, started_on,
                                started_at, finished_at, finish, confirmed_at, steps)
        SELECT id, resident_id, flow_id, unit_id, member_id, started_on,
               started_on::timestamptz,
               CASE WHEN depth = length THEN started_on::timestamptz END,
               CASE WHEN depth = length THEN 'completed' END,
               CASE WHEN depth = length AND luck < 0.6 THEN started_on::timestamptz END, ''
        FROM bench_runs"""),
    ("reach_steps", """
        INSERT INTO reach_steps (day, unit_id, flow_id, step_id, reached, stuck)
        SELECT b.started_on, b.unit_id, b.flow_id, p.step_id, count(*),
               count(*) FILTER (WHERE p.position = b.depth AND b.depth < b.length
                                AND b.luck < 0.2)
        FROM bench_runs b JOIN bench_paths p
          ON p.flow_id = b.flow_id AND p.position <= b.depth
        GROUP BY 1, 2, 3, 4"""),
    ("events", """
        INSERT INTO events (resident_id, kind, flow_id, step_id, data, created_at)
        SELECT b.resident_id, k.kind, b.flow_id, p.step_id, '{}'::json,
               b.started_on::timestamptz + p.position * interval '1 minute'
        FROM bench_runs b
        JOIN bench_paths p ON p.flow_id = b.flow_id AND p.position <= b.depth
        CROSS JOIN (VALUES ('message_in'), ('step_reached'), ('reply_out')) k(kind)
        UNION ALL
        SELECT resident_id, 'flow_started', flow_id, NULL, '{}', started_on::timestamptz
        FROM bench_runs
        UNION ALL
        SELECT resident_id, 'flow_completed', flow_id, NULL, '{}', started_on::timestamptz
        FROM bench_runs WHERE depth = length"""),
    ("tickets", """
        INSERT INTO tickets (resident_id, channel, recipient, unit_id, team_unit, flow_id,
                             context, status, opened_at, claimed_at, closed_at, close_reason,
                             escalations)
        SELECT resident_id, 'web', 'bench', unit_id, split_part(unit_id, '_', 1), flow_id,
               '{}'::json, 'closed', started_on::timestamptz,
               started_on::timestamptz + (luck * 90) * interval '1 minute',
               started_on::timestamptz + interval '1 day', 'member', 0
        FROM bench_runs WHERE depth < length AND luck < 0.05"""),
    ("unanswered", """
        INSERT INTO unanswered (resident_id, text, reason, reviewed, created_at)
        SELECT resident_id, 'câu hỏi mẫu số ' || (id % 300), 'fallback', false,
               started_on::timestamptz
        FROM bench_runs WHERE luck > 0.92"""),
]


def seed(conn: Connection, paths: Mapping[str, Sequence[str]], *, communes: int,
         residents: int, runs: int, today: dt.date,
         progress: Callable[[str, float], None]) -> dict[str, int]:
    """Fill an empty, migrated PostgreSQL database; the rows of each table."""
    import time

    conn.execute(text("CREATE TEMPORARY TABLE bench_flows (number int, flow_id text, "
                      "length int)"))
    conn.execute(text("CREATE TEMPORARY TABLE bench_paths (flow_id text, position int, "
                      "step_id text)"))
    for number, (flow_id, path) in enumerate(sorted(paths.items())):
        conn.execute(text("INSERT INTO bench_flows VALUES (:n, :f, :l)"),
                     {"n": number, "f": flow_id, "l": len(path)})
        conn.execute(text("INSERT INTO bench_paths VALUES (:f, :p, :s)"),
                     [{"f": flow_id, "p": i, "s": s} for i, s in enumerate(path, 1)])
    values = {"communes": communes, "residents": residents, "runs": runs, "today": today}
    for name, sql in STEPS:
        started = time.perf_counter()
        conn.execute(text(sql), values)
        progress(name, time.perf_counter() - started)
    conn.execute(text("SELECT setval(pg_get_serial_sequence('guide_runs', 'id'), "
                      "(SELECT max(id) FROM guide_runs))"))
    counts = {}
    for table in ("units", "residents", "guide_runs", "reach_steps", "events", "tickets",
                  "unanswered"):
        counts[table] = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    return counts


async def vacuum(engine: AsyncEngine) -> None:
    """What autovacuum does in production after a bulk load: statistics, visibility map."""
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")
