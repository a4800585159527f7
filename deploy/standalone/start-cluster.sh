#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine, bound to 127.0.0.1: one master and N workers,
# each its own JVM, from the Spark the build assembled (spark-home/target/spark-home) or $SPARK_HOME.
#
#   deploy/standalone/start-cluster.sh [--workers N] [--cores C] [--memory 2g] [--port 7077] [--dir DIR]
#
# Prints the master URL on its last line. deploy/standalone/stop-cluster.sh --dir DIR stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../bin/jvm-flags.sh
source "$root/bin/jvm-flags.sh"
workers=2 cores=1 memory=2g port=7077 dir="$root/target/standalone"
while [[ $# -gt 0 ]]; do
  case $1 in
    --workers) workers=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "start-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
spark_home="${SPARK_HOME:-$root/spark-home/target/spark-home}"
if [[ ! -d $spark_home/jars ]]; then
  echo "start-cluster.sh: no Spark at $spark_home; build with mvn -DskipTests package or set SPARK_HOME" >&2
  exit 2
fi
mkdir -p "$dir/logs" "$dir/work" "$dir/local"
# The daemons log at INFO (readiness is read from their logs); executors use the sparkgen console config.
cat > "$dir/log4j2-daemons.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n
LOG

export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
export SPARK_WORKER_DIR="$dir/work" SPARK_LOCAL_DIRS="$dir/local"
cp_="$spark_home/jars/*"
# Executors copy the application jar per application: let workers clean up after finished ones.
daemon_opts=(-Xmx512m "${SPARKGEN_JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$dir/log4j2-daemons.properties"
  -Dspark.worker.cleanup.enabled=true
  -Dspark.worker.cleanup.interval=300 -Dspark.worker.cleanup.appDataTtl=3600)

wait_for() { # file, text, seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "start-cluster.sh: '$2' did not appear in $1 within $3 s:" >&2
  tail -20 "$1" >&2
  return 1
}

java "${daemon_opts[@]}" -cp "$cp_" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 > "$dir/logs/master.log" 2>&1 &
echo $! > "$dir/master.pid"
wait_for "$dir/logs/master.log" "I have been elected leader" 60

for i in $(seq 1 "$workers"); do
  java "${daemon_opts[@]}" -cp "$cp_" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port 0 --work-dir "$dir/work/worker-$i" \
    "spark://127.0.0.1:$port" > "$dir/logs/worker-$i.log" 2>&1 &
  echo $! > "$dir/worker-$i.pid"
done
for i in $(seq 1 "$workers"); do
  wait_for "$dir/logs/worker-$i.log" "Successfully registered with master" 60
done
echo "spark://127.0.0.1:$port"
