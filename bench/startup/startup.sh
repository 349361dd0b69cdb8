#!/usr/bin/env bash
# The start-up row of bench/README.md: `rcontrol exec -t local -- true` beside ssh, pssh and clush running `true`
# on 127.0.0.1 through a throwaway sshd (free port, generated keys, strict host-key checking), measured by hyperfine.
#
#   bench/startup/startup.sh                                            # the rcontrol on PATH
#   bench/startup/startup.sh "r2r=$HOME/opt/rcontrol/rcontrol" "il=dotnet /tmp/il/rcontrol.dll"   # several builds, LABEL=COMMAND
#   RUNS=10 OUT=row.md bench/startup/startup.sh …                          # fewer runs; the markdown table to a file
#   API="dotnet /tmp/bench/RControl.Bench.dll api-lines" bench/startup/startup.sh …   # also the streaming row (streaming.py)
#   ONLY=streaming API=… bench/startup/startup.sh before=… after=…         # only the streaming row; a row per build
#   python3 bench/startup/ab.py 12 "a=/tmp/a/rcontrol exec -t local -- true" "b=…"   # builds alternating: CPU time on a busy machine
#
# Needs hyperfine, openssh-server, openssh-client; pssh (parallel-ssh) and clustershell (clush) are measured when
# installed (apt-get install hyperfine pssh clustershell) and reported as missing otherwise.
set -euo pipefail
RUNS=${RUNS:-20}
OUT=${OUT:-/dev/stdout}

dir=$(mktemp -d /tmp/rcontrol-startup.XXXXXX)
sshd_pid=
cleanup() { [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
chmod 755 "$dir"

# As root, log in as the unprivileged test user when it exists (root's login shell start-up is slow here).
user=$(id -un)
pam=no
if [ "$user" = root ]; then
  pam=yes
  if id rcontrol-test >/dev/null 2>&1; then user=rcontrol-test; fi
fi

ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
cp "$dir/id.pub" "$dir/authorized_keys"
chmod 644 "$dir/authorized_keys" "$dir/id"   # the key is throwaway; ssh refuses it only when not ours
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $dir/host_key
PidFile none
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
AllowUsers $user
UsePAM $pam
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UseDNS no
PrintMotd no
MaxStartups 200:30:400
EOF
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
sshd_pid=$!
chmod 600 "$dir/id"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$dir/known_hosts"
cat > "$dir/ssh_config" <<EOF
Host bench
  HostName 127.0.0.1
  Port $port
  User $user
  IdentityFile $dir/id
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
EOF

for _ in $(seq 1 100); do
  ssh -F "$dir/ssh_config" bench true 2>/dev/null && break
  sleep 0.1
done
ssh -F "$dir/ssh_config" bench true

[ $# -gt 0 ] || set -- "rcontrol=rcontrol"
commands=()
names=()
for form in "$@"; do
  commands+=("${form#*=} exec -t local -- true"); names+=("rcontrol exec -t local -- true (${form%%=*})")
done
commands+=("ssh -F $dir/ssh_config bench true"); names+=("ssh bench true")
missing=()
if command -v parallel-ssh >/dev/null; then
  commands+=("parallel-ssh -x '-F $dir/ssh_config' -H bench true"); names+=("pssh -H bench true")
else
  missing+=("pssh (parallel-ssh) not installed")
fi
if command -v clush >/dev/null; then
  commands+=("clush -o '-F $dir/ssh_config' -w bench true"); names+=("clush -w bench true")
else
  missing+=("clush (clustershell) not installed")
fi
for form in "$@"; do
  commands+=("${form#*=} exec -t bench --ssh-config $dir/ssh_config --known-hosts $dir/known_hosts --identity $dir/id -- true")
  names+=("rcontrol exec -t bench -- true (${form%%=*}, over SSH)")
done

if [ -n "${API:-}" ]; then
  builds=()
  for form in "$@"; do builds+=(--rcontrol "$form"); done
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc) (streaming row)" >&2
  python3 "$(dirname "$0")/streaming.py" --runs "$RUNS" "${builds[@]}" --api "$API" \
    --ssh bench "$port" "$user" "$dir/id" "$dir/known_hosts" "$dir/ssh_config" > "$dir/streaming.md"
  cat "$dir/streaming.md" >&2
fi
if [ "${ONLY:-}" = streaming ]; then
  cat "$dir/streaming.md" > "$OUT"
  exit 0
fi

args=()
for i in "${!commands[@]}"; do args+=(-n "${names[$i]}" "${commands[$i]}"); done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)" >&2
hyperfine --warmup 2 --runs "$RUNS" --export-markdown "$dir/table.md" "${args[@]}" >&2
{
  cat "$dir/table.md"
  for m in "${missing[@]+"${missing[@]}"}"; do echo "| $m | | | | |"; done
  if [ -f "$dir/streaming.md" ]; then echo; cat "$dir/streaming.md"; fi
} > "$OUT"
