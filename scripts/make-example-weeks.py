#!/usr/bin/env python3
"""Writes the example weeks with money and counts, deterministically:

  examples/county-lines-week.csv      one force's county-lines intensification
                                      week (operation cl-oct23-mersey)
  examples/knife-crime/*.csv          six forces' knife-crime week exports
                                      (campaign sceptre-may24)

Run from the repository root: python3 scripts/make-example-weeks.py
The files are in opweek's export format (header as `opweek export` writes
it); ids are name-based UUIDs, so re-running gives the same files and
re-importing them never counts an event twice.
"""

import csv
import datetime as dt
import io
import uuid

HEADER = [
    "id", "operation", "type", "date", "time", "count", "value", "force", "team",
    "area", "officer", "reference", "detail", "partner", "outcome", "notes",
    "recorded_by", "recorded_at", "status",
]
NS = uuid.UUID("6f1c2b9e-3c1a-4e0b-9a57-0d0e5a7c4b21")


def write(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r.get(h, "") for h in HEADER])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def row(op, force, start, i, day, time, type_, count=1, value="", **kw):
    date = start + dt.timedelta(days=day)
    hh, mm = map(int, time.split(":"))
    recorded = dt.datetime(date.year, date.month, date.day, hh, mm) + dt.timedelta(minutes=40)
    r = {
        "id": str(uuid.uuid5(NS, f"{op}/{i}")),
        "operation": op,
        "type": type_,
        "date": date.isoformat(),
        "time": time,
        "count": str(count),
        "value": value,
        "force": force,
        "recorded_by": "analyst",
        "recorded_at": recorded.strftime("%Y-%m-%dT%H:%M:00Z"),
        "status": "active",
    }
    r.update({k: v for k, v in kw.items() if v})
    return r


# --- County lines: one force's week, 9-15 October 2023 -------------------
CL_OP, CL_FORCE, CL_START = "cl-oct23-mersey", "Merseyside Police", dt.date(2023, 10, 9)
T = "Serious and Organised Crime"
PWITS = "possession with intent to supply class A drugs"
# (day, time, type, count, value, area, officer, reference, detail, partner, outcome)
COUNTY_LINES = [
    (0, "06:00", "warrant", 1, "", "Liverpool North", "4127", "WAR/23/1101", PWITS, "", ""),
    (0, "06:20", "arrest", 2, "", "Liverpool North", "4127", "CR/23/88101", PWITS, "", "charged"),
    (0, "06:45", "drug-seizure", 1, "48500.00", "Liverpool North", "4127", "CR/23/88101", "crack cocaine and heroin", "", ""),
    (0, "07:10", "cash-seizure", 1, "12000.00", "Liverpool North", "4127", "CR/23/88101", "", "", "held under POCA"),
    (0, "07:30", "phone-seizure", 6, "", "Liverpool North", "4127", "CR/23/88101", "", "", ""),
    (0, "10:00", "line-closure", 1, "", "Liverpool North", "3310", "CR/23/88101", "", "", ""),
    (0, "14:00", "cuckooing-visit", 3, "", "Birkenhead", "2284", "", "", "", ""),
    (0, "15:30", "person-safeguarded", 1, "", "Birkenhead", "2284", "", "", "Wirral Council adult social care", "referred"),
    (1, "06:00", "warrant", 1, "", "St Helens", "3310", "WAR/23/1102", PWITS, "", ""),
    (1, "06:15", "arrest", 3, "", "St Helens", "3310", "CR/23/88140", PWITS, "", "remanded"),
    (1, "06:40", "weapon-seizure", 2, "", "St Helens", "3310", "CR/23/88140", "machetes", "", ""),
    (1, "06:50", "drug-seizure", 1, "15000.00", "St Helens", "3310", "CR/23/88140", "cannabis", "", ""),
    (1, "09:00", "vehicle-seizure", 1, "", "St Helens", "3310", "CR/23/88140", "", "", ""),
    (1, "11:00", "cuckooing-visit", 4, "", "Southport", "5120", "", "", "", ""),
    (1, "15:00", "cuckooing-visit", 5, "", "Kirkby", "5120", "", "", "", ""),
    (1, "18:00", "engagement-event", 1, "", "Kirkby", "1876", "", "", "Catch 22", ""),
    (1, "18:30", "arrest", 1, "", "Kirkby", "1876", "CR/23/88161", "possession of an offensive weapon", "", "charged"),
    (2, "05:45", "warrant", 1, "", "Liverpool South", "4127", "WAR/23/1103", PWITS, "", ""),
    (2, "06:00", "arrest", 4, "", "Liverpool South", "4127", "CR/23/88177", PWITS, "", "charged"),
    (2, "06:30", "cash-seizure", 1, "63864.50", "Liverpool South", "4127", "CR/23/88177", "", "", "held under POCA"),
    (2, "06:35", "drug-seizure", 1, "120000.00", "Liverpool South", "4127", "CR/23/88177", "cocaine", "", ""),
    (2, "06:40", "phone-seizure", 9, "", "Liverpool South", "4127", "CR/23/88177", "", "", ""),
    (2, "07:00", "vehicle-seizure", 2, "", "Liverpool South", "4127", "CR/23/88177", "", "", ""),
    (2, "12:00", "line-closure", 1, "", "Liverpool South", "3310", "CR/23/88177", "", "", ""),
    (2, "13:00", "person-safeguarded", 2, "", "Bootle", "2284", "", "", "Sefton Council children's services", "referred"),
    (2, "16:00", "line-closure", 1, "", "Bootle", "3310", "CR/23/88190", "", "", ""),
    (2, "20:15", "weapon-seizure", 1, "", "Bootle", "1876", "CR/23/88199", "firearm", "", ""),
    (3, "06:00", "warrant", 1, "", "Wallasey", "3310", "WAR/23/1104", PWITS, "", ""),
    (3, "06:20", "arrest", 2, "", "Wallasey", "3310", "CR/23/88214", PWITS, "", "released under investigation"),
    (3, "06:45", "drug-seizure", 1, "2450.00", "Wallasey", "3310", "CR/23/88214", "cannabis", "", ""),
    (3, "07:00", "cash-seizure", 1, "1250.50", "Wallasey", "3310", "CR/23/88214", "", "", "held under POCA"),
    (3, "07:05", "weapon-seizure", 3, "", "Wallasey", "3310", "CR/23/88214", "knives", "", ""),
    (3, "10:30", "cuckooing-visit", 6, "", "Huyton", "5120", "", "", "", ""),
    (3, "14:30", "cuckooing-visit", 4, "", "Prescot", "5120", "", "", "", ""),
    (3, "16:00", "person-safeguarded", 3, "", "Huyton", "2284", "", "", "Knowsley Council adult social care", "referred"),
    (3, "21:00", "arrest", 1, "", "Huyton", "1876", "CR/23/88230", "being concerned in the supply of class A drugs", "", "charged"),
    (4, "06:00", "warrant", 1, "", "Liverpool North", "4127", "WAR/23/1105", PWITS, "", ""),
    (4, "06:10", "arrest", 5, "", "Liverpool North", "4127", "CR/23/88251", PWITS, "", "charged"),
    (4, "06:30", "drug-seizure", 1, "9750.00", "Liverpool North", "4127", "CR/23/88251", "heroin", "", ""),
    (4, "06:35", "phone-seizure", 12, "", "Liverpool North", "4127", "CR/23/88251", "", "", ""),
    (4, "11:00", "line-closure", 2, "", "Liverpool North", "3310", "CR/23/88251", "", "", ""),
    (4, "13:00", "vehicle-seizure", 1, "", "Liverpool North", "3310", "CR/23/88251", "", "", ""),
    (4, "15:00", "engagement-event", 1, "", "Bootle", "1876", "", "", "Catch 22", ""),
    (4, "15:30", "cuckooing-visit", 7, "", "Bootle", "5120", "", "", "", ""),
    (5, "09:00", "arrest", 2, "", "Southport", "1876", "CR/23/88270", "being concerned in the supply of class A drugs", "", "charged"),
    (5, "14:00", "weapon-seizure", 1, "", "Southport", "1876", "CR/23/88270", "zombie knife", "", ""),
    (5, "16:00", "drug-seizure", 1, "31200.00", "Southport", "1876", "CR/23/88270", "crack cocaine", "", ""),
    (5, "17:00", "person-safeguarded", 2, "", "Southport", "2284", "", "", "Sefton Council children's services", "referred"),
    (5, "19:00", "cuckooing-visit", 5, "", "Kirkby", "5120", "", "", "", ""),
    (6, "08:00", "arrest", 1, "", "St Helens", "3310", "CR/23/88291", PWITS, "", "charged"),
    (6, "10:00", "drug-seizure", 1, "2145.00", "St Helens", "3310", "CR/23/88291", "cocaine", "", ""),
    (6, "10:10", "phone-seizure", 4, "", "St Helens", "3310", "CR/23/88291", "", "", ""),
    (6, "13:00", "line-closure", 1, "", "St Helens", "3310", "CR/23/88291", "", "", ""),
]


def county_lines():
    rows = []
    for i, (day, time, type_, count, value, area, officer, ref, detail, partner, outcome) in enumerate(COUNTY_LINES):
        rows.append(row(CL_OP, CL_FORCE, CL_START, i, day, time, type_, count, value,
                        team=T, area=area, officer=officer, reference=ref, detail=detail,
                        partner=partner, outcome=outcome))
    write("examples/county-lines-week.csv", rows)


# --- Knife crime: six forces, one campaign, 13-19 May 2024 ----------------
KC_START = dt.date(2024, 5, 13)
FORCES = [
    # file/op prefix, force, areas, scale
    ("mersey", "Merseyside Police", ["Liverpool", "Wirral", "Sefton", "Knowsley", "St Helens"], 3),
    ("cheshire", "Cheshire Constabulary", ["Chester", "Crewe", "Warrington", "Macclesfield"], 2),
    ("gmp", "Greater Manchester Police", ["Manchester", "Salford", "Bolton", "Oldham", "Wigan", "Stockport"], 4),
    ("lancs", "Lancashire Constabulary", ["Blackpool", "Preston", "Blackburn", "Burnley", "Lancaster"], 3),
    ("cumbria", "Cumbria Constabulary", ["Carlisle", "Barrow", "Kendal", "Workington"], 1),
    ("nwales", "North Wales Police", ["Wrexham", "Rhyl", "Bangor", "Llandudno"], 1),
]


class Rng:
    """A small linear congruential generator: the same numbers on every Python."""

    def __init__(self, seed):
        self.state = seed

    def below(self, n):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % n


def knife_crime():
    for f, (prefix, force, areas, scale) in enumerate(FORCES):
        rng = Rng(1000 + f)
        op = f"{prefix}-sceptre"
        rows = []
        team = "Neighbourhood Policing"

        def add(day, type_, count, **kw):
            hh = 7 + rng.below(14)
            mm = 15 * rng.below(4)
            area = areas[rng.below(len(areas))]
            officer = str(1000 + rng.below(8000))
            rows.append((day, f"{hh:02d}:{mm:02d}", type_, count,
                         dict(team=team, area=area, officer=officer, **kw)))

        for day in range(7):
            for _ in range(scale):
                add(day, "stop-search", 1 + rng.below(5))
            if rng.below(2) or day == 0:
                add(day, "arrest", 1 + rng.below(3) * scale, detail="knife crime offences",
                    outcome="charged" if rng.below(2) else "released under investigation")
            add(day, "arrest", 1 + rng.below(4) * scale, detail="other offences")
            if day % 2 == 0:
                add(day, "knife-seized", 1 + rng.below(3) * scale)
            if day in (1, 4):
                add(day, "knife-surrendered", 5 + rng.below(20) * scale,
                    detail="surrender bin", partner="Knife Angel campaign")
            if day in (2, 5):
                add(day, "weapon-sweep", 1, outcome="nothing found" if rng.below(3) else "knife found")
            if day == 3:
                add(day, "test-purchase", 1 + rng.below(3), outcome="sale refused")
                add(day, "knife-surrendered", 2 + rng.below(6), detail="found in sweeps")
            if day < 5:
                add(day, "school-engagement", 1 + rng.below(2) * scale)
            if day in (2, 5, 6):
                add(day, "community-event", 1, partner="Youth Justice Service")
        rows.sort(key=lambda r: (r[0], r[1]))
        out = [row(op, force, KC_START, i, day, time, type_, count, **kw)
               for i, (day, time, type_, count, kw) in enumerate(rows)]
        write(f"examples/knife-crime/{prefix}-sceptre.csv", out)


if __name__ == "__main__":
    county_lines()
    knife_crime()
