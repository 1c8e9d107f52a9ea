#!/usr/bin/env python3
"""Second by second, one policy's requests in the pipeline and in the simulator.

Usage: per_second.py PIPELINE-requests.csv SIM-requests.csv POLICY

Both files have the columns of `bench policies --requests-csv` (`sim --validate` writes the
pipeline's beside --pipeline-out as NAME-requests.csv; `sim --requests-csv FILE` writes the
simulator's). Requests are bucketed by the second they were sent in; for each side it prints
how many were sent (n), answered in time (ok) and answered DEADLINE_EXCEEDED (dx), and the mean
compute, queue and end-to-end ms of the requests answered OK.
"""
import collections
import csv
import math
import sys


def by_second(path, policy):
    buckets = collections.defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["policy"] == policy:
                buckets[int(row["sent_ms"]) // 1000].append(row)
    return buckets


def number(s):
    try:
        return float(s)
    except ValueError:
        return math.nan


def mean(xs):
    return sum(xs) / len(xs) if xs else math.nan


def stats(rows):
    ok = [r for r in rows if r["status"] == "OK"]
    return (len(rows), sum(r["on_time"] == "true" for r in rows), sum(r["status"] == "DEADLINE_EXCEEDED" for r in rows),
            mean([number(r["compute_ms"]) for r in ok]), mean([number(r["queue_ms"]) for r in ok]),
            mean([number(r["received_ms"]) - number(r["sent_ms"]) for r in ok]))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    pipeline, sim = by_second(sys.argv[1], sys.argv[3]), by_second(sys.argv[2], sys.argv[3])
    if not pipeline and not sim:
        sys.exit("no requests of policy %r in either file" % sys.argv[3])
    print("  s |      pipeline: n   ok   dx compute queue  e2e |     simulator: n   ok   dx compute queue  e2e")
    for s in sorted(set(pipeline) | set(sim)):
        row = (s,) + stats(pipeline.get(s, [])) + stats(sim.get(s, []))
        print("%3d | %14d %4d %4d %7.1f %5.1f %4.0f | %15d %4d %4d %7.1f %5.1f %4.0f" % row)


if __name__ == "__main__":
    main()
