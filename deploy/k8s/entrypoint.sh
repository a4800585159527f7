#!/usr/bin/env bash
# Entry point of the sparkgen image. The pods Spark starts (the spark-operator's driver and executors:
# `driver ...`, `executor`) go on to the base image's entrypoint unchanged; anything else is a sparkgen
# command, run with spark-submit on local[*] inside the container with the cluster settings:
#   docker run --rm IMAGE train --help
#   SPARKGEN_DRIVER_MEMORY  heap (default 4g); SPARKGEN_OFFHEAP, SPARKGEN_EXECUTOR_OVERHEAD as on a cluster
set -euo pipefail
sparkgen_home="${SPARKGEN_HOME:-/opt/sparkgen}"
case "${1:-}" in
  driver | executor)
    exec "${SPARK_ENTRYPOINT:-/opt/entrypoint.sh}" "$@" ;;
  "")
    set -- --help ;;
esac
SPARKGEN_JAVACPP_CACHE="${SPARKGEN_JAVACPP_CACHE:-$sparkgen_home/javacpp-cache}"
# shellcheck source=../../bin/jvm-flags.sh
source "$sparkgen_home/bin/jvm-flags.sh"
sparkgen_cluster_conf "${SPARKGEN_OFFHEAP:-6G}" "${SPARKGEN_EXECUTOR_OVERHEAD:-7g}" "$SPARKGEN_JAVACPP_CACHE" \
  "-Dlog4j2.configurationFile=file:$sparkgen_home/conf/log4j2.properties"
settings=(--master "local[*]" --driver-memory "${SPARKGEN_DRIVER_MEMORY:-4g}" --class io.sparkgen.jobs.Main)
for setting in "${SPARKGEN_SPARK_CONF[@]}"; do
  settings+=(--conf "$setting")
done
exec "${SPARK_HOME:-/opt/spark}/bin/spark-submit" "${settings[@]}" "$sparkgen_home/sparkgen-jobs.jar" "$@"
