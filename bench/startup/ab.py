#!/usr/bin/env python3
"""Runs builds' commands alternating (A B A B …) and prints each one's median and minimum wall time and CPU time.

    python3 bench/startup/ab.py RUNS LABEL=COMMAND [LABEL=COMMAND …]
    python3 bench/startup/ab.py 12 "tool=/tmp/tool/rcontrol exec -t local -- true" "composite=/tmp/c/rcontrol exec -t local -- true"

On a machine shared with other work, hyperfine's one-command-after-the-other runs see different loads; alternating runs
see the same, and the CPU time (user + system of the child, from wait4) moves far less with the load than the wall
time. One warm-up round is not counted. Output is discarded; a non-zero exit status is reported on stderr.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or "=" not in sys.argv[2]:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    forms = [arg.split("=", 1) for arg in sys.argv[2:]]
    results = {label: [] for label, _ in forms}
    for round_ in range(runs + 1):
        for label, command in forms:
            started = time.monotonic()
            child = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            wall = (time.monotonic() - started) * 1000
            if status != 0:
                print(f"{label}: exit status {os.waitstatus_to_exitcode(status)}", file=sys.stderr)
            if round_ > 0:
                results[label].append((wall, (usage.ru_utime + usage.ru_stime) * 1000))
    with open("/proc/loadavg", encoding="ascii") as load:
        print(f"{runs} alternating runs; load average at the end: {' '.join(load.read().split()[:3])}; cores: {os.cpu_count()}")
    for label, values in results.items():
        wall = [v[0] for v in values]
        cpu = [v[1] for v in values]
        print(f"{label:16} wall median {statistics.median(wall):6.0f} ms, min {min(wall):6.0f} ms | "
              f"CPU median {statistics.median(cpu):5.0f} ms, min {min(cpu):5.0f} ms")


if __name__ == "__main__":
    main()
