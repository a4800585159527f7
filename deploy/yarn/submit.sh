#!/usr/bin/env bash
# Submits a sparkgen command to YARN with spark-submit, with the settings ND4J needs on executors
# (bin/jvm-flags.sh, as for the standalone cluster) and the config files shipped with --files.
#
#   deploy/yarn/submit.sh [--print-command] [spark-submit options] -- <sparkgen command> [options]
#   deploy/yarn/submit.sh --deploy-mode cluster --executor-memory 4g --num-executors 8 -- \
#       retrain --conf conf/retrain.conf
#
# --master yarn is added; --deploy-mode is cluster unless given. HADOOP_CONF_DIR or YARN_CONF_DIR
# must name the cluster's client configuration. In cluster mode each sparkgen -c/--conf FILE is shipped
# with --files and named by its file name (the driver runs in the application master's container);
# in client mode the driver reads it where it is. --print-command prints the command, runs nothing.
#   SPARK_HOME                 a Spark 3.5 distribution built with YARN support (else spark-submit on PATH)
#   SPARKGEN_JAR               the fat jar (default: spark-jobs/target/sparkgen-jobs.jar)
#   SPARKGEN_OFFHEAP           JavaCPP off-heap limit per JVM (default 6G)
#   SPARKGEN_EXECUTOR_OVERHEAD executor and driver memoryOverhead (default 7g); memory + overhead must
#                              hold the off-heap limit (checked against --executor-memory/--driver-memory)
#   SPARKGEN_YARN_JAVACPP_CACHE JavaCPP's natives cache on the cluster's nodes (default /tmp/sparkgen-javacpp)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../bin/jvm-flags.sh
source "$root/bin/jvm-flags.sh"
jar="${SPARKGEN_JAR:-$root/spark-jobs/target/sparkgen-jobs.jar}"
usage="usage: deploy/yarn/submit.sh [--print-command] [spark-submit options] -- <sparkgen command> [options]"

print=false mode="" submit_args=()
# Spark's defaults, unless the options below say otherwise (they still go to spark-submit).
executor_memory=1g driver_memory=1g executor_cores=1 driver_cores=1
while [[ $# -gt 0 && $1 != "--" ]]; do
  case $1 in
    --print-command) print=true ;;
    --executor-memory | --driver-memory | --executor-cores | --driver-cores)
      [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
      option=${1#--} value=$2
      printf -v "${option//-/_}" '%s' "$value"
      submit_args+=("$1" "$2")
      shift ;;
    --executor-memory=* | --driver-memory=* | --executor-cores=* | --driver-cores=*)
      option=${1%%=*} value=${1#*=}
      option=${option#--}
      printf -v "${option//-/_}" '%s' "$value"
      submit_args+=("$1") ;;
    --master | --master=*) echo "deploy/yarn/submit.sh: the master is yarn; drop $1" >&2; exit 2 ;;
    --deploy-mode) [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }; mode=$2; shift ;;
    --deploy-mode=*) mode=${1#--deploy-mode=} ;;
    --files | --files=*)
      echo "deploy/yarn/submit.sh: sparkgen's -c/--conf files are shipped for you; pass other files with --conf spark.yarn.dist.files=..." >&2
      exit 2 ;;
    *) submit_args+=("$1") ;;
  esac
  shift
done
if [[ $# -lt 2 ]]; then
  echo "$usage" >&2
  exit 2
fi
shift # the --
mode=${mode:-cluster}
if [[ $mode != cluster && $mode != client ]]; then
  echo "deploy/yarn/submit.sh: --deploy-mode is cluster or client, not '$mode'" >&2
  exit 2
fi
conf_dir="${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}"
if [[ -z $conf_dir || ! -d $conf_dir ]]; then
  echo "deploy/yarn/submit.sh: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the cluster's client configuration" \
    "directory (core-site.xml, yarn-site.xml); now '${conf_dir}'" >&2
  exit 2
fi
if [[ ! -f $jar ]]; then
  echo "deploy/yarn/submit.sh: $jar is not built; run: mvn -B -q -DskipTests package" >&2
  exit 2
fi

# sparkgen's arguments; in cluster mode its config files travel with --files under their file names.
app_args=() files=() shipped=" "
ship() { # config file as given -> the argument the driver gets
  local file=$1 name
  if [[ $mode == client ]]; then
    echo "$file"
    return
  fi
  name=$(basename "$file")
  echo "$name"
}
check_conf() {
  local file=$1 name
  if [[ ! $file =~ ^[a-zA-Z][a-zA-Z0-9+.-]*:// && ! -f $file ]]; then
    echo "deploy/yarn/submit.sh: config file $file does not exist" >&2
    exit 2
  fi
  [[ $mode == cluster ]] || return 0
  name=$(basename "$file")
  if [[ $shipped == *" $name "* ]]; then
    echo "deploy/yarn/submit.sh: two config files are named $name; --files ships both under that name" >&2
    exit 2
  fi
  shipped+="$name "
  files+=("$file")
}
while [[ $# -gt 0 ]]; do
  case $1 in
    -c | --conf)
      if [[ $# -lt 2 ]]; then app_args+=("$1"); shift; continue; fi
      check_conf "$2"
      app_args+=("$1" "$(ship "$2")")
      shift 2 ;;
    --conf=*)
      check_conf "${1#--conf=}"
      app_args+=("--conf=$(ship "${1#--conf=}")")
      shift ;;
    *) app_args+=("$1"); shift ;;
  esac
done

offheap="${SPARKGEN_OFFHEAP:-6G}"
overhead="${SPARKGEN_EXECUTOR_OVERHEAD:-7g}"
# YARN kills a container past memory + memoryOverhead: it must hold JavaCPP's cap on the process.
sparkgen_check_memory executor "$executor_memory" "$overhead" "$offheap" || exit 2
if [[ $mode == cluster ]]; then
  sparkgen_check_memory driver "$driver_memory" "$overhead" "$offheap" || exit 2
fi
for count in "$executor_cores" "$driver_cores"; do
  [[ $count =~ ^[1-9][0-9]*$ ]] || { echo "deploy/yarn/submit.sh: '$count' is not a core count" >&2; exit 2; }
done
driver_opts=""
[[ $mode == client ]] && driver_opts="-Dlog4j2.configurationFile=file:$root/conf/log4j2.properties"
sparkgen_cluster_conf "$offheap" "$overhead" \
  "${SPARKGEN_YARN_JAVACPP_CACHE:-/tmp/sparkgen-javacpp}" "$driver_opts"
settings=(--master yarn --deploy-mode "$mode" --class io.sparkgen.jobs.Main)
for setting in "${SPARKGEN_SPARK_CONF[@]}"; do
  settings+=(--conf "$setting")
done
# ND4J sizes its OpenMP pool by the node's CPUs unless told: one thread per core of the container.
settings+=(--conf "spark.executorEnv.OMP_NUM_THREADS=$executor_cores")
if [[ $mode == cluster ]]; then
  settings+=(--conf "spark.yarn.appMasterEnv.OMP_NUM_THREADS=$driver_cores")
fi
# One attempt: sparkgen's jobs are restarted by their scheduler (retrain is idempotent), not by YARN.
settings+=(--conf spark.yarn.maxAppAttempts=1)
if [[ ${#files[@]} -gt 0 ]]; then
  settings+=(--files "$(IFS=,; echo "${files[*]}")")
fi

if [[ -x ${SPARK_HOME:-/nonexistent}/bin/spark-submit ]]; then
  submit="$SPARK_HOME/bin/spark-submit"
elif command -v spark-submit >/dev/null; then
  submit=spark-submit
else
  submit=""
fi
command=("${submit:-spark-submit}" "${settings[@]}" "${submit_args[@]}" "$jar" "${app_args[@]}")
if $print; then
  printf '%q ' "${command[@]}"
  echo
  exit 0
fi
if [[ -z $submit ]]; then
  echo "deploy/yarn/submit.sh: no spark-submit: set SPARK_HOME to a Spark 3.5 distribution with YARN support" \
    "(this checkout's spark-home/ has no YARN module)" >&2
  exit 2
fi
export HADOOP_CONF_DIR="$conf_dir"
exec "${command[@]}"
