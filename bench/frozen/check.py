#!/usr/bin/env python3
"""Sanity check for the frozen evaluation set (standard library only)."""
import csv, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
errors = []
with open(os.path.join(HERE, "roster.csv"), newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    header = next(r)
    if header != ["slack_id","name","title","expertise","skills","timezone","languages","capacity"]:
        errors.append(f"bad roster header {header}")
    roster = [row for row in r]
for row in roster:
    if len(row) != 8: errors.append(f"roster row wrong width: {row}")
    if not re.fullmatch(r"U0F[A-Z0-9]{6}", row[0]): errors.append(f"bad id {row[0]}")
    if not row[3].strip(): errors.append(f"empty expertise {row[0]}")
    if not row[7].isdigit() or not 1 <= int(row[7]) <= 4: errors.append(f"bad capacity {row}")
    if "/" not in row[5]: errors.append(f"bad tz {row[5]}")
    if not all(re.fullmatch(r"[a-z]{2}", l) for l in row[6].split(",")): errors.append(f"bad langs {row[6]}")
ids = [row[0] for row in roster]
if len(set(ids)) != len(ids): errors.append("duplicate slack ids")
if len(roster) != 44: errors.append(f"roster has {len(roster)} rows, expected 44")

with open(os.path.join(HERE, "questions.csv"), newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    header = next(r)
    if header != ["expected","question"]: errors.append(f"bad questions header {header}")
    qs = [row for row in r]
for row in qs:
    if len(row) != 2: errors.append(f"question row wrong width: {row}")
    elif row[0] not in set(ids): errors.append(f"unknown expected id {row[0]}")
norm = [re.sub(r"\s+", " ", q[1].strip().lower()) for q in qs]
dups = [q for q, n in Counter(norm).items() if n > 1]
if dups: errors.append(f"duplicate questions: {dups}")
if len(qs) < 170: errors.append(f"only {len(qs)} questions")
counts = Counter(q[0] for q in qs)
names = {row[0]: row[1] for row in roster}
for i in ids:
    n = counts.get(i, 0)
    if n < 2 or n > 7: errors.append(f"{i} {names[i]} has {n} questions")
print(f"profiles={len(roster)} questions={len(qs)}")
for i in ids:
    print(f"  {i}  {names[i]:<24} {counts.get(i,0)}")
if errors:
    print("FAIL"); print("\n".join(errors)); sys.exit(1)
print("OK")
