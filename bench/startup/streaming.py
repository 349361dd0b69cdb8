#!/usr/bin/env python3
"""The CLI streaming row of bench/README.md, run by startup.sh when API is set.

`rcontrol exec … -- seq 1 N | wc -l` (the CLI's plain output to a pipe) beside the API doing the same in a fresh
process (`RControl.Bench api-lines`: the engine, a session, the lines into a counting callback), locally and over SSH,
each also running `true`. Runs alternate between all the commands (A B C … A B C …), so that all see the same load;
`--rcontrol LABEL=COMMAND` may be given several times (e.g. the build before a change and the one after), each build
with its own rows. The streaming cost of a side is its median time for `seq` minus its median time for `true` (start-up
and stop cancel out); the row's ratio is the CLI's streaming cost over the API's. CPU is user + system of the process
tree (the CLI's includes `wc -l`, a few ms). The whole runs' medians are given too: the CLI's `true` costs less CPU
than the API's (no run-time code generation), so part of what it saves at start it pays per message while streaming.
"""
import argparse
import resource
import statistics
import subprocess
import sys
import time


def run(command, expect_lines):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    counted = int(done.stdout.split()[0]) if done.stdout.split() else -1
    if done.returncode != 0 or counted < expect_lines:
        sys.exit(f"streaming row: '{command}' failed (status {done.returncode}, {counted} lines, {expect_lines} expected)")
    return wall * 1000, cpu * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--rcontrol", required=True, action="append", help="COMMAND or LABEL=COMMAND; repeatable")
    p.add_argument("--api", required=True)
    p.add_argument("--ssh", nargs=6, metavar=("ALIAS", "PORT", "USER", "KEY", "KNOWN_HOSTS", "SSH_CONFIG"), required=True)
    p.add_argument("--local-lines", type=int, default=1_000_000)
    p.add_argument("--ssh-lines", type=int, default=500_000)
    a = p.parse_args()
    alias, port, user, key, known_hosts, ssh_config = a.ssh
    builds = [(f.split("=", 1) if "=" in f.split(" ", 1)[0] else ["cli", f]) for f in a.rcontrol]
    api_ssh = f"{a.api} ssh 127.0.0.1 {port} {user} {key} {known_hosts}"
    cases = {}
    for where in ("local", "ssh"):
        lines = a.local_lines if where == "local" else a.ssh_lines
        for label, rcontrol in builds:
            target = "-t local" if where == "local" else f"-t {alias} --ssh-config {ssh_config} --known-hosts {known_hosts} --identity {key}"
            cases[(where, label, "seq")] = (f"{rcontrol} exec {target} -- seq 1 {lines} | wc -l", lines)
            cases[(where, label, "true")] = (f"{rcontrol} exec {target} -- true | wc -l", 0)
        api = f"{a.api} local" if where == "local" else api_ssh
        cases[(where, "api", "seq")] = (f"{api} 'seq 1 {lines}'", lines)
        cases[(where, "api", "true")] = (f"{api} true", 0)
    for command, lines in cases.values():  # warm-up: page cache, sshd
        run(command, lines)
    samples = {k: [] for k in cases}
    for _ in range(a.runs):
        for k, (command, lines) in cases.items():
            samples[k].append(run(command, lines))

    def med(k, i):
        return statistics.median(s[i] for s in samples[k])

    print("| streaming to a pipe | CLI seq / true: wall, CPU ms | API seq / true: wall, CPU ms | CLI streaming cost | API streaming cost "
          "| ratio (wall) | ratio (CPU) | whole `seq` run, CPU ratio | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for where, lines in (("local", a.local_lines), ("ssh", a.ssh_lines)):
        for label, _ in builds:
            cw = med((where, label, "seq"), 0) - med((where, label, "true"), 0)
            aw = med((where, "api", "seq"), 0) - med((where, "api", "true"), 0)
            cc = med((where, label, "seq"), 1) - med((where, label, "true"), 1)
            ac = med((where, "api", "seq"), 1) - med((where, "api", "true"), 1)
            name = f"`seq 1 {lines}` {'local' if where == 'local' else 'over SSH'}" + (f" ({label})" if len(builds) > 1 else "")
            print(f"| {name} | {med((where, label, 'seq'), 0):.0f} / {med((where, label, 'true'), 0):.0f}, "
                  f"{med((where, label, 'seq'), 1):.0f} / {med((where, label, 'true'), 1):.0f} "
                  f"| {med((where, 'api', 'seq'), 0):.0f} / {med((where, 'api', 'true'), 0):.0f}, "
                  f"{med((where, 'api', 'seq'), 1):.0f} / {med((where, 'api', 'true'), 1):.0f} "
                  f"| {cw:.0f} ms wall, {cc:.0f} ms CPU | {aw:.0f} ms wall, {ac:.0f} ms CPU "
                  f"| {cw / aw:.2f}× | {cc / ac:.2f}× | {med((where, label, 'seq'), 1) / med((where, 'api', 'seq'), 1):.2f}× | ≤ 1.5× |")
    print(f"\n{a.runs} alternating runs per command (medians), after one warm-up run each.")


if __name__ == "__main__":
    main()
