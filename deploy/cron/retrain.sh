#!/usr/bin/env bash
# One scheduled `sparkgen retrain` against a cluster, for cron or a systemd timer.
#
#   deploy/cron/retrain.sh CONF [sparkgen retrain options]
#
#   SPARKGEN_MASTER       master URL (default spark://127.0.0.1:7077)
#   SPARKGEN_SUBMIT_OPTS  extra spark-submit options, e.g. "--executor-memory 4g --conf spark.cores.max=8"
#
# Exit status: 0 when the run finished (a candidate promoted or rejected, or no new data); 75 when
# another retrain holds the registry's lock (nothing was done: the next tick tries again); other
# non-zero values on failure. Every step is restartable, so a failed run is simply run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ $# -lt 1 ]]; then
  echo "usage: deploy/cron/retrain.sh CONF [sparkgen retrain options]" >&2
  exit 2
fi
conf="$1"
shift
# shellcheck disable=SC2086 # SPARKGEN_SUBMIT_OPTS is a list of options
exec "$root/deploy/spark-submit.sh" --master "${SPARKGEN_MASTER:-spark://127.0.0.1:7077}" ${SPARKGEN_SUBMIT_OPTS:-} \
  -- retrain --conf "$conf" "$@"
