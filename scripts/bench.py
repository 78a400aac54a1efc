#!/usr/bin/env python3
"""opweek against the sqlite3 shell, same machine, same run, same data.

Run through scripts/bench.sh, which builds the release binary and installs
what is missing. For each size N it generates N synthetic events (seeded),
then measures, as the median of several runs:

  import   opweek import (validation, ids, indexes, one transaction)
           vs sqlite3 .import --csv into a bare table of text columns
  report   opweek report (one week; the whole range --by force)
           vs the same GROUP BY through sqlite3 on opweek's own file
  export   opweek export -o FILE vs sqlite3 -csv of the same rows and order
  log      one opweek log vs one sqlite3 INSERT
  memory   peak RSS of each opweek run (GNU time)
  CPU      user + system time of each side (GNU time): on a busy machine
           the wall-clock ratio drifts towards this one

The two sides run alternately, so a shared machine's drift hits both alike.

and writes the table, with the machine's description, to BENCHMARKS.md.
"""

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_pg  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPWEEK = os.path.join(ROOT, "target", "release", "opweek")
GENERATE = os.path.join(ROOT, "target", "release", "examples", "generate")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "200000 1000000").split()]
RUNS = {200_000: 3, 1_000_000: 3}
LOG_RUNS = 15

WEEK = ("2017-W26", "2017-06-26", "2017-07-02")

SQL_WEEK = f"""SELECT t.key, t.label, sum(e.count) FROM event e JOIN activity_type t ON t.id = e.type_id
WHERE e.status = 'active' AND e.date BETWEEN '{WEEK[1]}' AND '{WEEK[2]}'
GROUP BY e.type_id ORDER BY t.position;"""

SQL_BY_FORCE = """SELECT e.force, t.key, t.label, sum(e.count) FROM event e {hint} JOIN activity_type t ON t.id = e.type_id
WHERE e.status = 'active' GROUP BY e.force, e.type_id ORDER BY e.force, t.position;"""

YEAR = ("2017-01-02", "2017-12-31")
MONTH = ("2017-06-01", "2017-06-30")

SQL_RANGE_BY_FORCE = """SELECT e.force, t.key, t.label, sum(e.count) FROM event e {hint} JOIN activity_type t ON t.id = e.type_id
WHERE e.status = 'active' AND e.date BETWEEN '{a}' AND '{b}' GROUP BY e.force, e.type_id ORDER BY e.force, t.position;"""

SQL_CAMPAIGN_BY_FORCE = """SELECT e.force, t.key, t.label, sum(e.count) FROM event e {hint} JOIN activity_type t ON t.id = e.type_id
WHERE e.status = 'active' AND e.op_id IN (SELECT id FROM operation WHERE campaign = 'wk025')
GROUP BY e.force, e.type_id ORDER BY e.force, t.position;"""

SQL_OP_LIST = """SELECT o.code, o.title, o.start_date, o.end_date, o.force, o.campaign, coalesce(g.n, 0), coalesce(g.t, 0)
FROM operation o LEFT JOIN (SELECT op_id, count(*) AS n, sum(count) AS t FROM event e {hint} WHERE status = 'active' GROUP BY op_id) g
ON g.op_id = o.id ORDER BY o.start_date, o.code;"""

SQL_EXPORT = """SELECT lower(substr(hex(e.uuid), 1, 8) || '-' || substr(hex(e.uuid), 9, 4) || '-' ||
  substr(hex(e.uuid), 13, 4) || '-' || substr(hex(e.uuid), 17, 4) || '-' || substr(hex(e.uuid), 21, 12)) AS id,
  o.code AS operation, t.key AS type, e.date, e.time, e.count, e.force, e.team, e.area, e.officer, e.reference,
  e.detail, e.partner, e.outcome, e.notes, e.recorded_by, e.recorded_at, e.status
FROM event e JOIN operation o ON o.id = e.op_id JOIN activity_type t ON t.id = e.type_id
ORDER BY e.date, e.time, e.id;"""

BARE = "CREATE TABLE bare (" + ", ".join(
    f"{c} TEXT" for c in "id operation type date time count value force team area officer reference detail partner outcome notes recorded_by recorded_at status".split()
) + ");"


def timed(cmd, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd under GNU time; returns (seconds, peak RSS in MB, CPU
    seconds: user + system, over all its threads)."""
    fd, report = tempfile.mkstemp()
    os.close(fd)
    full = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", report] + cmd
    start = time.perf_counter()
    subprocess.run(full, check=True, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    with open(report) as f:
        _, rss_kb, user, system = f.read().split()[-4:]
    os.unlink(report)
    return elapsed, int(rss_kb) / 1024, float(user) + float(system)


def paired(runs, ours, theirs):
    """Runs the two sides alternately (ours, theirs, ours, ...), so that a
    shared machine slowing down or speeding up mid-run affects both alike;
    returns each side's (median seconds, max MB, median CPU seconds)."""
    a, b = [], []
    for _ in range(runs):
        a.append(ours())
        b.append(theirs())
    summary = lambda rs: (statistics.median(r[0] for r in rs), max(r[1] for r in rs),
                          statistics.median(r[2] for r in rs))
    return summary(a), summary(b)


def sqlite(db, sql, out=subprocess.DEVNULL, csv=False):
    cmd = ["sqlite3"] + (["-csv"] if csv else []) + [db, sql]
    return timed(cmd, stdout=out)


def best_plan(runs, ours, sqls, db):
    """Runs opweek against each of the shell's plans (the planner's choice,
    NOT INDEXED, ...) and keeps the shell's fastest by CPU."""
    best = None
    for sql in sqls:
        result = paired(runs, ours, lambda: sqlite(db, sql, csv=True))
        if best is None or result[1][2] < best[1][2]:
            best = result
    return best


def generate(n, work):
    """The size's files (ordered ids, random ids, operations), made once."""
    events = os.path.join(work, f"events-{n}.csv")
    random_events = os.path.join(work, f"events-random-{n}.csv")
    ops = os.path.join(work, f"ops-{n}.csv")
    if not os.path.exists(events):
        subprocess.run([GENERATE, "--events", str(n), "--seed", "7", "--out", events, "--ops", ops], check=True)
        subprocess.run([GENERATE, "--events", str(n), "--seed", "7", "--out", random_events, "--random-ids"],
                       check=True)
    return events, random_events, ops


def run_size(n, work, rows):
    runs = RUNS.get(n, 3)
    events, random_events, ops = generate(n, work)
    size_mb = os.path.getsize(events) / 1e6

    # A database holding just the operations, copied fresh for each import.
    template = os.path.join(work, f"template-{n}.db")
    # The generated events include cash seizures (money), a county-lines type.
    subprocess.run([OPWEEK, "--db", template, "type", "pack", "add", "county-lines"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(ops) as f:
        for line in f:
            code, title, start, force, campaign = line.rstrip("\n").split(",")
            subprocess.run([OPWEEK, "--db", template, "op", "add", code, "--title", title, "--start", start,
                            "--force", force, "--campaign", campaign], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    db = os.path.join(work, f"opweek-{n}.db")

    def opweek_import(path):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copy(template, db)
        return timed([OPWEEK, "--db", db, "import", path])

    def sqlite_import(path):
        bare = os.path.join(work, "bare.db")
        if os.path.exists(bare):
            os.unlink(bare)
        subprocess.run(["sqlite3", bare, BARE], check=True)
        return timed(["sqlite3", bare, f".import --csv --skip 1 {path} bare"])

    # Random ids first, so that the database left for the reports holds
    # opweek's own ordered ones.
    imp, imp_sql = paired(runs, lambda: opweek_import(random_events), lambda: sqlite_import(random_events))
    rows.append((n, "import, random ids (v4)", imp, imp_sql, f"{size_mb:.0f} MB CSV"))
    imp, imp_sql = paired(runs, lambda: opweek_import(events), lambda: sqlite_import(events))
    rows.append((n, "import, ordered ids (v7)", imp, imp_sql, f"{size_mb:.0f} MB CSV"))

    week, week_sql = paired(runs + 2, lambda: timed([OPWEEK, "--db", db, "report", "--week", WEEK[0], "--format", "csv"]),
                            lambda: sqlite(db, SQL_WEEK, csv=True))
    rows.append((n, "report --week", week, week_sql, ""))

    plans = lambda sql, **kw: [sql.format(hint="", **kw), sql.format(hint="NOT INDEXED", **kw)]
    report = lambda *args: lambda: timed([OPWEEK, "--db", db, "report", *args, "--format", "csv"])
    force, force_sql = best_plan(runs + 2, report("--by", "force"), plans(SQL_BY_FORCE), db)
    rows.append((n, "report --by force (all)", force, force_sql, ""))
    for what, (a, b) in (("month", MONTH), ("year", YEAR)):
        r, r_sql = best_plan(runs + 2, report("--from", a, "--to", b, "--by", "force"),
                             plans(SQL_RANGE_BY_FORCE, a=a, b=b), db)
        rows.append((n, f"report {what} --by force", r, r_sql, f"{a}..{b}"))
    c, c_sql = best_plan(runs + 2, report("--campaign", "wk025", "--by", "force"), plans(SQL_CAMPAIGN_BY_FORCE), db)
    rows.append((n, "report --campaign --by force", c, c_sql, ""))
    ol, ol_sql = best_plan(runs + 2, lambda: timed([OPWEEK, "--db", db, "op", "list"]), plans(SQL_OP_LIST), db)
    rows.append((n, "op list", ol, ol_sql, f"{52 * 6} operations"))
    chk, chk_sql = paired(1, lambda: timed([OPWEEK, "--db", db, "check"]),
                          lambda: sqlite(db, "PRAGMA integrity_check; PRAGMA foreign_key_check;"))
    rows.append((n, "check", chk, chk_sql, "vs integrity_check + foreign_key_check"))

    out = os.path.join(work, "export.csv")
    sql_out = os.path.join(work, "export-sql.csv")

    def sqlite_export():
        with open(sql_out, "w") as f:
            return sqlite(db, SQL_EXPORT, out=f, csv=True)

    def opweek_export():
        # export refuses to replace a file; removed here, outside the timing.
        if os.path.exists(out):
            os.unlink(out)
        return timed([OPWEEK, "--db", db, "export", "-o", out])

    exp, exp_sql = paired(runs, opweek_export, sqlite_export)
    rows.append((n, "export", exp, exp_sql, ""))

    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    insert = ("INSERT INTO event (uuid, op_id, type_id, date, count, officer, recorded_by, recorded_at) VALUES "
              "(randomblob(16), (SELECT id FROM operation WHERE code = 'w025-mersey'), "
              "(SELECT id FROM activity_type WHERE key = 'offender-visit'), '2017-06-27', 1, '1234', 'bench', "
              f"'{stamp}');")
    log, log_sql = paired(LOG_RUNS, lambda: timed([OPWEEK, "--db", db, "log", "offender-visit", "--op", "w025-mersey",
                                                   "--date", "2017-06-27", "--officer", "1234"]),
                          lambda: sqlite(db, insert))
    rows.append((n, "log (one event)", log, log_sql, ""))


TARGETS = {"import, random ids (v4)": 1.5, "import, ordered ids (v7)": 1.5, "report --week": 1.2,
           "report --by force (all)": 1.2, "report month --by force": 1.2, "report year --by force": 1.2,
           "report --campaign --by force": 1.2, "op list": 1.2, "export": 1.0, "log (one event)": 1.3}


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    sqlite_version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[0]
    opweek_version = subprocess.run([OPWEEK, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem} memory; "
            f"sqlite3 shell {sqlite_version}; {opweek_version} (release build)")


def main():
    rows = []
    # Other work on the machine shows here: the one-minute load average
    # before and after (0 on an idle machine; 2 fills both of 2 cores).
    load_start = os.getloadavg()[0]
    # The PostgreSQL part (scripts/bench_pg.py), when bench.sh started a
    # cluster; BENCH_SQLITE=0 leaves out the SQLite part (to try the other).
    pg_env = os.environ.get("BENCH_PG_ENV")
    cluster = bench_pg.Cluster(pg_env) if pg_env else None
    pg_rows = []
    with tempfile.TemporaryDirectory(prefix="opweek-bench-") as work:
        for n in SIZES:
            if os.environ.get("BENCH_SQLITE", "1") != "0":
                print(f"measuring N = {n:,} ...", file=sys.stderr)
                run_size(n, work, rows)
            if cluster:
                print(f"measuring N = {n:,} on PostgreSQL ...", file=sys.stderr)
                bench_pg.run_size(n, work, pg_rows, cluster, timed, generate(n, work), OPWEEK, WEEK, MONTH, YEAR)
    load = f"load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    header = ("| N | operation | opweek (s) | sqlite3 (s) | ratio | target | opweek peak RSS "
              "| opweek CPU (s) | sqlite3 CPU (s) | CPU ratio | note |")
    lines = [header, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    ratio = lambda a, b: a / b if b > 0 else float("inf")
    # GNU time counts CPU in hundredths: too coarse for a ratio of runs
    # that take a few milliseconds.
    cpu_ratio = lambda a, b: f"{a / b:.2f}×" if min(a, b) >= 0.05 else "—"
    for n, what, ours, theirs, note in rows:
        wall = ratio(ours[0], theirs[0])
        target = TARGETS.get(what)
        # Judged on wall time and, where it is large enough to measure, on
        # CPU time too: on a busy machine wall time mostly measures the other
        # work, and a two-thread import's wall time depends on a free core.
        mark = lambda r: "✓" if r <= target else "✗"
        if target is None:
            verdict = ""
        elif min(ours[2], theirs[2]) >= 0.05:
            verdict = f"≤ {target}× wall {mark(wall)} CPU {mark(ratio(ours[2], theirs[2]))}"
        else:
            verdict = f"≤ {target}× {mark(wall)}"
        lines.append(f"| {n:,} | {what} | {ours[0]:.3f} | {theirs[0]:.3f} | {wall:.2f}× | {verdict} | {ours[1]:.0f} MB "
                     f"| {ours[2]:.2f} | {theirs[2]:.2f} | {cpu_ratio(ours[2], theirs[2])} | {note} |")
    table = "\n".join(lines) if rows else ""
    if cluster:
        table += (f"\n\n**PostgreSQL** ({cluster.version}, through the socket; "
                  f"scripts/bench_pg.py):\n\n{bench_pg.table(pg_rows)}")
    print(table)
    return table, f"{machine()}; {load}"


if __name__ == "__main__":
    table, desc = main()
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "w") as f:
            f.write(f"Machine: {desc}\n\nRun: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n{table}\n")
