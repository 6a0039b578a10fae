#!/usr/bin/env bash
# Build the Merak image (merak:latest and merak:<version>) without any container registry:
#   1. base: Debian bookworm by debootstrap from the Debian mirror -> `docker import`
#      (merak-base:bookworm, kept once built);
#   2. wheels: requirements.lock downloaded once by pip (the same pins as .venv, CPU torch);
#   3. Merak's own wheel from this checkout; 4. `docker build` of deploy/image/Dockerfile.
# Exit 0: built. Exit 77: skipped, with the reason on stderr (no daemon and none can start).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${MERAK_IMAGE_CACHE:-/var/tmp/merak-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PY=${PY:-$ROOT/.venv/bin/python}
say() { echo "==> $*" >&2; }
skip() { echo "SKIP image build: $*" >&2; exit 77; }

"$ROOT/deploy/docker-up.sh" || skip "no Docker daemon (see the line above)"

if ! docker image inspect merak-base:bookworm >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || skip "debootstrap needs root to build the base rootfs"
  say "debootstrap bookworm (minbase, python3.11) into $CACHE/rootfs"
  rm -rf "$CACHE/rootfs" && mkdir -p "$CACHE"
  debootstrap --variant=minbase \
    --include=python3.11,python3.11-venv,python3-venv,ca-certificates,libgomp1,tini \
    bookworm "$CACHE/rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -5 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$CACHE/rootfs/var/cache/apt/archives/"*.deb "$CACHE/rootfs/var/lib/apt/lists/"*
  say "docker import -> merak-base:bookworm"
  tar -C "$CACHE/rootfs" -c . | docker import - merak-base:bookworm >/dev/null
fi

say "wheels of requirements.lock into $CACHE/wheels"
mkdir -p "$CACHE/wheels"
"$PY" -m pip download --quiet --no-deps --only-binary=:all: \
  -r requirements.lock -d "$CACHE/wheels" 2>"$CACHE/pip.log" \
  || { grep -v '^WARNING' "$CACHE/pip.log" | tail -5 >&2; exit 1; }

CTX=$(mktemp -d "$CACHE/context.XXXX")
trap 'rm -rf "$CTX"' EXIT
cp deploy/image/Dockerfile deploy/image/healthcheck.py "$CTX/"
mkdir "$CTX/wheels"
# Hard links: the context costs no copy of the 1 GB of wheels.
ln "$CACHE/wheels/"*.whl "$CTX/wheels/" 2>/dev/null || cp "$CACHE/wheels/"*.whl "$CTX/wheels/"
# The whole pinned tree (installed --no-deps: the lock is complete), less the dev tools.
DEV='^(grpcio-tools|pytest|pytest-timeout|hypothesis|ruff|mypy|import-linter|types-PyYAML|kubernetes-validate)=='
grep -vE '^\s*(#|$)' requirements.lock | grep -viE "$DEV" >"$CTX/wheels/requirements.txt"
say "Merak's wheel"
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$CTX/wheels" . >/dev/null
VERSION=$("$PY" -c 'import merak; print(merak.__version__)')
say "docker build merak:$VERSION (storage driver: $(docker info -f '{{.Driver}}'))"
docker build --quiet -t "merak:$VERSION" -t merak:latest "$CTX" >/dev/null
docker image inspect merak:latest -f 'built merak:latest {{.Id}} ({{.Size}} bytes, user {{.Config.User}})'
