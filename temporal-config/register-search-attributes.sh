#!/bin/sh
# Registers the custom search attributes listed in search-attributes.json ({"Name": "Type", ...}) on a
# Temporal server, with the `temporal` CLI. Idempotent: an attribute that already exists is skipped.
# Used by the `temporal-search-attributes` one-shot in docker-compose.yml (temporalio/admin-tools
# image, so POSIX sh + sed only: no jq, no node); also runnable by hand against any server:
#   TEMPORAL_ADDRESS=127.0.0.1:7233 sh temporal-config/register-search-attributes.sh
# (`npm start` does not need it: the CLI dev server takes them as --search-attribute flags.)
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
FILE="${SEARCH_ATTRIBUTES_FILE:-$(dirname "$0")/search-attributes.json}"
TRIES="${WAIT_TRIES:-90}"

# With SQL visibility (Postgres) custom search attributes belong to a namespace, so wait until the
# namespace exists (auto-setup creates `default` shortly after the server answers).
i=0
until temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -ge "$TRIES" ]; then
    echo "namespace $NAMESPACE at $ADDRESS not reachable after $TRIES tries" >&2
    exit 1
  fi
  sleep 2
done

# One `Name Type` pair per line from the flat JSON object.
pairs=$(tr -d '\n\r{}' <"$FILE" | tr ',' '\n' |
  sed -n 's/^[[:space:]]*"\([A-Za-z0-9_]*\)"[[:space:]]*:[[:space:]]*"\([A-Za-z]*\)"[[:space:]]*$/\1 \2/p')
if [ -z "$pairs" ]; then
  echo "no search attributes found in $FILE" >&2
  exit 1
fi

echo "$pairs" | while read -r name type; do
  if out=$(temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
    --name "$name" --type "$type" 2>&1); then
    echo "search attribute $name ($type): registered"
  elif echo "$out" | grep -qi 'already exists' && ! echo "$out" | grep -qi 'different type'; then
    echo "search attribute $name ($type): already registered"
  else
    echo "search attribute $name ($type): failed: $out" >&2
    exit 1
  fi
done
