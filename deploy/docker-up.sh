#!/usr/bin/env bash
# Make sure a Docker daemon answers; start Debian's dockerd with the vfs storage driver when
# none runs and this user may (root, dockerd installed). Exit 1 with the reason otherwise.
set -uo pipefail
docker info >/dev/null 2>&1 && exit 0
command -v docker >/dev/null || { echo "docker CLI not installed (apt-get install docker.io)" >&2; exit 1; }
command -v dockerd >/dev/null || { echo "no daemon answers and dockerd is not installed (apt-get install docker.io)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "no daemon answers and only root may start dockerd" >&2; exit 1; }
LOG=${TMPDIR:-/tmp}/merak-dockerd.log
nohup dockerd --storage-driver=vfs >"$LOG" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  if ! kill -0 $! 2>/dev/null; then
    echo "dockerd --storage-driver=vfs exited: $(grep -m1 -iE 'level=(fatal|error)' "$LOG" | cut -c1-200)" >&2
    exit 1
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s (log: $LOG)" >&2
exit 1
