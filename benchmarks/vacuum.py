"""PostgreSQL's autovacuum, applied by a benchmark on its own clock.

A deployed PostgreSQL vacuums and analyzes a table once enough of its rows changed
(autovacuum's thresholds). A benchmark cannot count on it: a server may run with autovacuum off
(a CI configuration), and even on, autovacuum wakes on the real clock (every minute) while the
simulated month plays an hour in seconds. Without it the tables a flow rewrites at every run
(stock marks, runs) pile up dead rows, the planner keeps the estimates of empty tables, and
every query slows down as the month goes on, which no deployment sees.

:func:`autovacuum` applies autovacuum's own rule, with the server's own settings, to the tables
of the benchmark's database: the tables due are vacuumed and analyzed, or only analyzed.
"""

from __future__ import annotations

SETTINGS = (
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_analyze_scale_factor",
)


def autovacuum() -> list[str]:
    """Vacuum and analyze the tables autovacuum would now; the names of those it touched.
    Nothing on a database other than PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            # What this connection wrote and has not published yet (at most once a second).
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT name, setting::float FROM pg_settings WHERE name = ANY(%s)", [list(SETTINGS)]
        )
        setting = dict(cursor.fetchall())
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup, n_ins_since_vacuum, n_mod_since_analyze "
            "FROM pg_stat_user_tables WHERE schemaname = current_schema()"
        )
        due = []
        for table, live, dead, inserted, modified in cursor.fetchall():
            vacuum = dead > (
                setting["autovacuum_vacuum_threshold"]
                + setting["autovacuum_vacuum_scale_factor"] * live
            ) or inserted > (
                setting["autovacuum_vacuum_insert_threshold"]
                + setting["autovacuum_vacuum_insert_scale_factor"] * live
            )
            analyze = modified > (
                setting["autovacuum_analyze_threshold"]
                + setting["autovacuum_analyze_scale_factor"] * live
            )
            if vacuum or analyze:
                due.append((table, vacuum))
        for table, vacuum in due:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"VACUUM (ANALYZE) {quoted}" if vacuum else f"ANALYZE {quoted}")
    return [table for table, _vacuum in due]
