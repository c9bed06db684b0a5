#!/bin/sh
# One-shot job (temporalio/admin-tools): make sure the Temporal namespace exists
# and register Clearance's custom search attributes on it. Idempotent: an
# attribute that already exists with the same type counts as done.
#
# Usage: setup-namespace.sh NAME[:Type] ...   (Type defaults to Keyword)
# Environment: TEMPORAL_ADDRESS (host:port), TEMPORAL_NAMESPACE,
#              TEMPORAL_NAMESPACE_RETENTION (e.g. 720h; used only on creation).
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 NAME[:Type] ..." >&2
  exit 2
fi

# The CLI is more reliable against a literal IPv4 address than against the
# compose service name (same workaround as Temporal's samples-server compose).
HOST="${ADDRESS%:*}"
PORT="${ADDRESS##*:}"
IP="$(getent hosts "$HOST" 2>/dev/null | awk '$1 ~ /^[0-9.]+$/ { print $1; exit }' || true)"
if [ -n "$IP" ]; then ADDR="$IP:$PORT"; else ADDR="$ADDRESS"; fi

retry() {
  # retry ATTEMPTS DESCRIPTION COMMAND...
  max="$1"; what="$2"; shift 2
  n=0
  until "$@" >/dev/null 2>&1; do
    n=$((n + 1))
    if [ "$n" -ge "$max" ]; then
      echo "Gave up waiting for: $what" >&2
      "$@" >&2 || true
      exit 1
    fi
    sleep 2
  done
}

server_serving() {
  temporal operator cluster health --address "$ADDR" 2>/dev/null | grep -q SERVING
}

echo "Waiting for Temporal at $ADDRESS ($ADDR)..."
retry 90 "Temporal frontend at $ADDRESS" server_serving

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDR" >/dev/null 2>&1; then
  echo "Namespace '$NAMESPACE' already exists"
else
  echo "Creating namespace '$NAMESPACE' (retention $RETENTION)"
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$ADDR"
fi

# A new namespace reaches the frontend's namespace cache after a few seconds.
retry 60 "namespace '$NAMESPACE' to become usable" \
  temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDR"

created=0
for spec in "$@"; do
  name="${spec%%:*}"
  type="Keyword"
  case "$spec" in *:*) type="${spec#*:}" ;; esac

  n=0
  while :; do
    if out="$(temporal operator search-attribute create --namespace "$NAMESPACE" \
        --name "$name" --type "$type" --address "$ADDR" 2>&1)"; then
      echo "Search attribute $name ($type) created"
      created=1
      break
    fi
    if echo "$out" | grep -qi 'different type'; then
      echo "$out" >&2
      echo "Search attribute $name exists with another type; fix it by hand." >&2
      exit 1
    fi
    if echo "$out" | grep -qi 'already exist'; then
      echo "Search attribute $name ($type) already exists"
      break
    fi
    n=$((n + 1))
    if [ "$n" -ge 5 ]; then
      echo "$out" >&2
      exit 1
    fi
    sleep 3
  done
done

# Do not report success until every attribute is listed on the namespace.
for spec in "$@"; do
  name="${spec%%:*}"
  # shellcheck disable=SC2016 # expanded by the inner sh
  retry 30 "search attribute $name to be listed" sh -c \
    'temporal operator search-attribute list --namespace "$1" --address "$2" | grep -qw "$3"' \
    sh "$NAMESPACE" "$ADDR" "$name"
done

if [ "$created" -eq 1 ]; then
  # Give the other server roles' namespace caches time to pick up the new
  # attributes before the API and worker start using them.
  sleep 15
fi
echo "Namespace '$NAMESPACE' is ready with search attributes: $*"
