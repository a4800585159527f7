#!/usr/bin/env bash
# Submits a sparkgen command with spark-submit, with the settings ND4J needs on executors.
#
#   deploy/spark-submit.sh [spark-submit options] -- <sparkgen command> [options]
#   deploy/spark-submit.sh --master spark://10.0.0.5:7077 --executor-memory 4g -- shard --conf conf/fashion-mnist.conf
#
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is a Spark distribution; otherwise runs Spark's
# SparkSubmit class from the Spark this checkout's build assembled (spark-home/target/spark-home),
# in client mode, which is enough for local masters and standalone clusters.
#   SPARKGEN_JAR       the fat jar (default: spark-jobs/target/sparkgen-jobs.jar)
#   SPARKGEN_OFFHEAP   JavaCPP off-heap limit per JVM (default 6G). ND4J allocates outside the Java
#                      heap, where Spark cannot see it: keep spark.executor.memoryOverhead above it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jvm-flags.sh
source "$root/bin/jvm-flags.sh"
jar="${SPARKGEN_JAR:-$root/spark-jobs/target/sparkgen-jobs.jar}"
offheap="${SPARKGEN_OFFHEAP:-6G}"

submit_args=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  submit_args+=("$1")
  shift
done
if [[ $# -eq 0 ]]; then
  echo "usage: deploy/spark-submit.sh [spark-submit options] -- <sparkgen command> [options]" >&2
  exit 2
fi
shift # the --
if [[ ! -f $jar ]]; then
  echo "deploy/spark-submit.sh: $jar is not built; run: mvn -B -q -DskipTests package" >&2
  exit 2
fi

# ND4J's OpenMP and OpenBLAS pools default to every core of the host: with several executors per
# host they oversubscribe it. Give each executor as many threads as it has cores, unless set.
executor_cores="" omp_set=false
for ((i = 0; i < ${#submit_args[@]}; i++)); do
  case ${submit_args[i]} in
    --executor-cores) executor_cores=${submit_args[i + 1]:-} ;;
    spark.executor.cores=*) executor_cores=${submit_args[i]#spark.executor.cores=} ;;
    spark.executorEnv.OMP_NUM_THREADS=*) omp_set=true ;;
  esac
done
if [[ -n $executor_cores && $omp_set == false ]]; then
  submit_args+=(--conf "spark.executorEnv.OMP_NUM_THREADS=$executor_cores")
fi

javacpp="$(sparkgen_javacpp_opts "$offheap" "$SPARKGEN_JAVACPP_CACHE")"
sparkgen_cluster_conf "$offheap" "${SPARKGEN_EXECUTOR_OVERHEAD:-7g}" "$SPARKGEN_JAVACPP_CACHE" \
  "-Dlog4j2.configurationFile=file:$root/conf/log4j2.properties"
settings=(--class io.sparkgen.jobs.Main)
for setting in "${SPARKGEN_SPARK_CONF[@]}"; do
  settings+=(--conf "$setting")
done

if [[ -x ${SPARK_HOME:-/nonexistent}/bin/spark-submit ]]; then
  exec "$SPARK_HOME/bin/spark-submit" "${settings[@]}" "${submit_args[@]}" "$jar" "$@"
fi
spark_home="${SPARK_HOME:-$root/spark-home/target/spark-home}"
if [[ ! -d $spark_home/jars ]]; then
  echo "deploy/spark-submit.sh: no Spark at $spark_home; set SPARK_HOME or build with mvn -DskipTests package" >&2
  exit 2
fi
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
exec java "${SPARKGEN_JAVA17_OPENS[@]}" $javacpp -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -cp "$spark_home/jars/*" org.apache.spark.deploy.SparkSubmit "${settings[@]}" "${submit_args[@]}" "$jar" "$@"
