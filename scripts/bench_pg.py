"""opweek against psql on a PostgreSQL server: same machine, same run, same
data as the SQLite part (scripts/bench.py imports this module).

Run through scripts/bench.sh, which starts a throwaway cluster with
scripts/pg-cluster.sh (BENCH_PG=0 skips this part) and passes its env file
in BENCH_PG_ENV. Everything connects through the cluster's Unix socket
(trust authentication: no TLS, no password hashing on either side).

  import       opweek --db URL import FILE into a fresh database holding the
               operations, vs psql's \\copy of the same file into a bare
               table of text columns (no index, no checks): ordered and
               random ids
  report       opweek report vs the very statement opweek sent (taken from
               the server's log, parameters filled in) run by psql, as the
               planner chooses and with index and bitmap scans off (a plain
               scan); compared with the faster of the two
  concurrency  8 shells at once, each running 50 `opweek log`: all 400 must
               land and `opweek check` must pass

CPU is measured on both sides of the connection:
  client  user + system time of the opweek or psql process (GNU time)
  server  user + system time of every server process over the run: the
          postmaster's children that are alive (read from /proc/PID/stat)
          plus those it has reaped (the postmaster's cutime + cstime), read
          before the run and again once the run's backend has exited and
          been reaped. That is the backend serving the connection plus the
          server's background work during the run (WAL writer, background
          writer, checkpointer). Autovacuum is off for the benchmark's
          cluster and a CHECKPOINT is taken before every timed run, so no
          earlier run's work lands in a later one. Resolution: one clock
          tick (10 ms).
"""

import os
import re
import statistics
import subprocess
import time

TICK = os.sysconf("SC_CLK_TCK")

BARE_COLUMNS = ("id operation type date time count value force team area officer reference detail "
                "partner outcome notes recorded_by recorded_at status").split()
BARE = "CREATE TABLE bare (" + ", ".join(f"{c} text" for c in BARE_COLUMNS) + ")"

TARGETS = {"import, random ids (v4)": 2.0, "import, ordered ids (v7)": 2.0, "report --week": 1.2,
           "report --by force (all)": 1.2, "report month --by force": 1.2, "report year --by force": 1.2,
           "report --campaign --by force": 1.2, "op list": 1.2}

PLAIN_SCAN = "SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off; "


class Cluster:
    """A cluster made by scripts/pg-cluster.sh, from its env file."""

    def __init__(self, env_file):
        env = {}
        with open(env_file) as f:
            for line in f:
                key, _, value = line.rstrip("\n").partition("=")
                env[key] = value
        self.base = env["OPWEEK_TEST_PG"].rsplit("/", 1)[0]
        self.data = env["OPWEEK_TEST_PG_DIR"]
        self.log = env["OPWEEK_TEST_PG_LOG"]
        version = self.psql("postgres", "SHOW server_version", capture=True).strip()
        self.version = f"PostgreSQL {version}"
        # No autovacuum worker starting in the middle of someone else's
        # measurement; the benchmark analyses what it reports on itself.
        self.psql("postgres", "ALTER SYSTEM SET autovacuum = off")
        self.psql("postgres", "SELECT pg_reload_conf()")
        # The server's own processes (checkpointer, writers, launchers),
        # once the connections above have gone.
        time.sleep(1)
        self.background = self.cpu()[1]

    def url(self, db):
        return f"{self.base}/{db}"

    def psql(self, db, *sqls, capture=False):
        cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", self.url(db)]
        for sql in sqls:
            cmd += ["-c", sql]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return done.stdout if capture else None

    def fresh_db(self, db, template=None):
        self.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
        self.psql("postgres", f"CREATE DATABASE {db}" + (f" TEMPLATE {template}" if template else ""))

    def postmaster(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def cpu(self):
        """(CPU seconds used by the server's processes so far, how many
        children the postmaster has)."""
        pm = self.postmaster()
        fields = _stat(pm)
        total = sum(int(x) for x in fields[14:18])  # utime stime cutime cstime
        children = 0
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == pm:
                continue
            try:
                f = _stat(int(name))
            except OSError:
                continue
            if int(f[4]) == pm:
                children += 1
                total += int(f[14]) + int(f[15])
        return total / TICK, children

    def checkpoint(self):
        self.psql("postgres", "CHECKPOINT")

    def timed(self, timed, cmd, stdout=subprocess.DEVNULL):
        """Runs cmd under GNU time (`timed` from bench.py); returns (wall
        seconds, client peak RSS in MB, client CPU seconds, server CPU
        seconds)."""
        before = self.settled()
        wall, rss, client = timed(cmd, stdout=stdout)
        return wall, rss, client, self.settled() - before

    def settled(self):
        """The server's CPU so far, once every backend has exited and been
        reaped (an exited backend stays a child, a zombie, until the
        postmaster reaps it and adds its CPU to its own cutime): read
        earlier, a backend's CPU could be lost between the two. The
        reading returned is taken after one that found no backend left, as
        a backend reaped between reading the postmaster and listing its
        children would be missing from that one."""
        deadline = time.monotonic() + 10
        while True:
            _, children = self.cpu()
            if children <= self.background:
                return self.cpu()[0]
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server still has {children} processes, "
                                   f"{self.background} expected")
            time.sleep(0.002)


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # The command name is in parentheses and may hold spaces; numbered
    # from 1 as proc(5) numbers them: [4] ppid, [14] utime, [15] stime,
    # [16] cutime, [17] cstime.
    return [None, None, None] + text[text.rindex(")") + 2:].split()


def paired(runs, ours, theirs):
    a, b = [], []
    for _ in range(runs):
        a.append(ours())
        b.append(theirs())
    summary = lambda rs: (statistics.median(r[0] for r in rs), max(r[1] for r in rs),
                          statistics.median(r[2] for r in rs), statistics.median(r[3] for r in rs))
    return summary(a), summary(b)


ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] ")


def log_entries(text):
    """The server log's entries (a statement's later lines joined on)."""
    entries = []
    for line in text.splitlines():
        m = ENTRY.match(line)
        if m:
            entries.append(line[m.end():])
        elif entries:
            entries[-1] += "\n" + line.lstrip("\t")
    return entries


PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def costliest_statement(text):
    """The GROUP BY statement opweek sent (the one that took the server
    longest, should there be more), with its parameters written in: run
    as one query, or read through a cursor (declare and fetches added)."""
    cursors = {}
    last = None
    for n, entry in enumerate(log_entries(text)):
        m = re.match(r"LOG:  duration: ([\d.]+) ms  execute [^:]*: (.*)", entry, re.S)
        if m:
            ms, sql = float(m.group(1)), m.group(2)
            d = re.match(r"DECLARE (opweek_cursor_\d+) NO SCROLL CURSOR FOR (.*)", sql, re.S)
            f = re.match(r"FETCH \d+ FROM (opweek_cursor_\d+)", sql)
            last = None
            if d:
                last = cursors[d.group(1)] = [ms, d.group(2), {}]
            elif f and f.group(1) in cursors:
                cursors[f.group(1)][0] += ms
            elif not f:
                last = cursors[n] = [ms, sql, {}]
            continue
        if entry.startswith("DETAIL:  parameters: ") and last is not None:
            last[2] = {int(k): v for k, v in PARAM.findall(entry)}
            last = None
    if not cursors:
        raise RuntimeError("no statement found in the server's log")
    # A report's tally (or op list's totals) is its one GROUP BY; the
    # longest, should there be more.
    _, sql, params = max(cursors.values(), key=lambda c: ("GROUP BY" in c[1], c[0]))
    for k in sorted(params, reverse=True):
        sql = re.sub(rf"\${k}(?!\d)", lambda _: params[k], sql)
    return sql


def run_size(n, work, rows, cluster, timed, files, opweek, week, month, year):
    """Measures one size; `files` = (ordered CSV, random CSV, ops CSV),
    `timed` and `opweek` from bench.py."""
    runs = 3
    events, random_events, ops = files
    size_mb = os.path.getsize(events) / 1e6
    template = f"tmpl_{n}"
    cluster.fresh_db(template)
    quiet = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([opweek, "--db", cluster.url(template), "type", "pack", "add", "county-lines"], **quiet)
    with open(ops) as f:
        for line in f:
            code, title, start, force, campaign = line.rstrip("\n").split(",")
            subprocess.run([opweek, "--db", cluster.url(template), "op", "add", code, "--title", title,
                            "--start", start, "--force", force, "--campaign", campaign], **quiet)

    db = "opweek_bench"
    url = cluster.url(db)

    def opweek_import(path):
        cluster.fresh_db(db, template)
        cluster.checkpoint()
        return cluster.timed(timed, [opweek, "--db", url, "import", path])

    cluster.fresh_db("bare_bench")

    def psql_import(path):
        cluster.psql("bare_bench", "DROP TABLE IF EXISTS bare", BARE)
        cluster.checkpoint()
        return cluster.timed(timed, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", cluster.url("bare_bench"), "-c",
                                     f"\\copy bare FROM '{path}' CSV HEADER"])

    # Random ids first, so that the database left for the reports holds
    # opweek's own ordered ones.
    for what, path in (("import, random ids (v4)", random_events), ("import, ordered ids (v7)", events)):
        imp, imp_sql = paired(runs, lambda: opweek_import(path), lambda: psql_import(path))
        rows.append((n, what, imp, imp_sql, f"{size_mb:.0f} MB CSV"))
    cluster.psql("bare_bench", "DROP TABLE IF EXISTS bare")
    stored = int(cluster.psql(db, "SELECT count(*) FROM event", capture=True))
    assert stored == n, f"{stored} events stored, {n} generated"
    # What autovacuum would have done by the time anyone reports: the
    # planner's statistics and the visibility map (index-only scans).
    cluster.psql(db, "VACUUM ANALYZE")
    cluster.checkpoint()

    def captured(args):
        """The costliest GROUP BY statement opweek sends for `args`."""
        cluster.psql("postgres", f"ALTER DATABASE {db} SET log_min_duration_statement = 0")
        start = os.path.getsize(cluster.log)
        subprocess.run([opweek, "--db", url] + args, **quiet)
        time.sleep(0.2)
        with open(cluster.log, errors="replace") as f:
            f.seek(start)
            text = f.read()
        cluster.psql("postgres", f"ALTER DATABASE {db} RESET log_min_duration_statement")
        return costliest_statement(text)

    def psql_query(sql):
        return lambda: cluster.timed(timed, ["psql", "-X", "-q", "-A", "-t", "-F", ",", "-v", "ON_ERROR_STOP=1", url, "-c", sql])

    reports = [
        ("report --week", ["report", "--week", week[0], "--format", "csv"], ""),
        ("report --by force (all)", ["report", "--by", "force", "--format", "csv"], ""),
        ("report month --by force", ["report", "--from", month[0], "--to", month[1], "--by", "force",
                                     "--format", "csv"], f"{month[0]}..{month[1]}"),
        ("report year --by force", ["report", "--from", year[0], "--to", year[1], "--by", "force",
                                    "--format", "csv"], f"{year[0]}..{year[1]}"),
        ("report --campaign --by force", ["report", "--campaign", "wk025", "--by", "force", "--format", "csv"], ""),
        ("op list", ["op", "list"], f"{52 * 6} operations"),
    ]
    for what, args, note in reports:
        sql = captured(args)
        ours = lambda: cluster.timed(timed, [opweek, "--db", url] + args)
        best = None
        for plan, text in (("planner's plan", sql), ("plain scan", PLAIN_SCAN + sql)):
            result = paired(runs + 2, ours, psql_query(text))
            total = result[1][2] + result[1][3]
            if best is None or total < best[1][2] + best[1][3]:
                best = result + (plan,)
        rows.append((n, what, best[0], best[1], f"psql: {best[2]}" + (f"; {note}" if note else "")))

    # Concurrency: 8 workstations logging at once, then the chain checked.
    shells, logs = 8, 50
    before = int(cluster.psql(db, "SELECT count(*) FROM event", capture=True))
    one = (f"{opweek} --db '{url}' log offender-visit --op w025-mersey --date 2017-06-27 "
           f"--officer 1234 >/dev/null")
    script = (f"for s in $(seq {shells}); do (for i in $(seq {logs}); do {one} || exit 1; done) & done; "
              "ok=0; for j in $(jobs -p); do wait $j || ok=1; done; exit $ok")
    start = time.perf_counter()
    failed = subprocess.run(["bash", "-c", script]).returncode
    wall = time.perf_counter() - start
    landed = int(cluster.psql(db, "SELECT count(*) FROM event", capture=True)) - before
    check = subprocess.run([opweek, "--db", url, "check"], capture_output=True, text=True)
    # The same 400 logs from one shell, one after another, for comparison.
    start = time.perf_counter()
    subprocess.run(["bash", "-c", f"for i in $(seq {shells * logs}); do {one} || exit 1; done"], check=True)
    serial = time.perf_counter() - start
    rows.append((n, "concurrency", (wall, landed, shells * logs, failed, check.returncode, serial)))


def table(rows):
    header = ("| N | operation | opweek (s) | psql (s) | ratio | target | opweek CPU client + server (s) "
              "| psql CPU client + server (s) | CPU ratio | opweek peak RSS | note |")
    lines = [header, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    ratio = lambda a, b: a / b if b > 0 else float("inf")
    conc = []
    for row in rows:
        if row[1] == "concurrency":
            n, _, (wall, landed, want, failed, check, serial) = row
            conc.append(f"| {n:,} | 8 shells × 50 `opweek log` at once | {landed}/{want} "
                        f"{'✓' if landed == want and not failed else '✗'} | {wall:.2f} | {landed / wall:.0f} "
                        f"| {'passes ✓' if check == 0 else f'fails ✗ (exit {check})'} "
                        f"| {serial:.2f} s, {want / serial:.0f} logs/s |")
            continue
        n, what, ours, theirs, note = row
        wall = ratio(ours[0], theirs[0])
        cpu_a, cpu_b = ours[2] + ours[3], theirs[2] + theirs[3]
        target = TARGETS.get(what)
        mark = lambda r: "✓" if r <= target else "✗"
        cpu_ok = min(cpu_a, cpu_b) >= 0.05
        if target is None:
            verdict = ""
        elif cpu_ok:
            verdict = f"≤ {target}× wall {mark(wall)} CPU {mark(ratio(cpu_a, cpu_b))}"
        else:
            verdict = f"≤ {target}× {mark(wall)}"
        lines.append(f"| {n:,} | {what} | {ours[0]:.3f} | {theirs[0]:.3f} | {wall:.2f}× | {verdict} "
                     f"| {ours[2]:.2f} + {ours[3]:.2f} | {theirs[2]:.2f} + {theirs[3]:.2f} "
                     f"| {f'{cpu_a / cpu_b:.2f}×' if cpu_ok else '—'} | {ours[1]:.0f} MB | {note} |")
    out = "\n".join(lines)
    if conc:
        out += ("\n\n| N (events stored) | concurrency | landed | wall (s) | logs/s | `opweek check` after "
                "| the same 400 from one shell |\n|---:|---|---:|---:|---:|---|---|\n" + "\n".join(conc))
    return out
