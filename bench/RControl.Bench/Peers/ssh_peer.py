#!/usr/bin/python3
"""One run of an SSH workload through a Python peer library (Debian's python3-paramiko / python3-fabric).

Opens SESSIONS connections in parallel (one thread each), runs COMMANDS sequential COMMAND on each, checks every
output, and prints one line: "PEERRESULT <seconds> <peak RSS bytes> <threads at peak> <CPU seconds>" (CPU: user + system
of this process over the same span, every thread included). The interpreter start and the imports are outside the
timing, as the .NET side's start-up is.
"""
import argparse
import os
import resource
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--lib", choices=["paramiko", "fabric"], required=True)
parser.add_argument("--host", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--user", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--known-hosts", required=True)
parser.add_argument("--sessions", type=int, required=True)
parser.add_argument("--commands", type=int, required=True)
parser.add_argument("--command", required=True)
parser.add_argument("--expect", required=True, help="the command's exact stdout")
args = parser.parse_args()

import paramiko  # noqa: E402

if args.lib == "fabric":
    import fabric  # noqa: E402


def paramiko_session():
    client = paramiko.SSHClient()
    client.load_host_keys(args.known_hosts)  # strict: an unknown host key is refused
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(args.host, port=args.port, username=args.user, key_filename=args.key,
                   allow_agent=False, look_for_keys=False)
    try:
        for _ in range(args.commands):
            _, stdout, _ = client.exec_command(args.command)
            out = stdout.read().decode()
            if stdout.channel.recv_exit_status() != 0 or out != args.expect:
                raise RuntimeError(f"unexpected output {out!r}")
    finally:
        client.close()


def fabric_session():
    config = fabric.Config(overrides={"load_ssh_configs": False})
    connection = fabric.Connection(args.host, port=args.port, user=args.user, config=config,
                                   connect_kwargs={"key_filename": args.key, "allow_agent": False, "look_for_keys": False})
    connection.client.load_host_keys(args.known_hosts)
    connection.client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        for _ in range(args.commands):
            result = connection.run(args.command, hide=True, in_stream=False)
            if result.exited != 0 or result.stdout != args.expect:
                raise RuntimeError(f"unexpected output {result.stdout!r}")
    finally:
        connection.close()


work = paramiko_session if args.lib == "paramiko" else fabric_session
errors = []
peak_threads = [0]


def run():
    try:
        work()
    except Exception as e:  # reported below, the run fails
        errors.append(e)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


cpu_start = cpu_seconds()
start = time.perf_counter()
threads = [threading.Thread(target=run) for _ in range(args.sessions)]
for t in threads:
    t.start()
peak_threads[0] = threading.active_count()
for t in threads:
    t.join()
seconds = time.perf_counter() - start
cpu = cpu_seconds() - cpu_start
if errors:
    raise SystemExit(f"{len(errors)} sessions failed, first: {errors[0]!r}")
with open("/proc/self/status") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"PEERRESULT {seconds:.6f} {peak_kib * 1024} {peak_threads[0]} {cpu:.6f}")
