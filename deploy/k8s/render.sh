#!/usr/bin/env bash
# Renders the spark-operator manifests of deploy/k8s/templates for one cluster: replaces each
# ${NAME} with its value (from NAME=VALUE arguments, else the environment, else the default below),
# inlines `#include FILE` lines, and checks the values before writing anything.
#
#   deploy/k8s/render.sh [--out DIR] [--templates DIR] [NAME=VALUE ...]   (no --out: one YAML stream on stdout)
#   deploy/k8s/render.sh SPARKGEN_IMAGE=registry.example/sparkgen:0.1.0 | kubectl apply -f -
#
#   SPARKGEN_IMAGE             the job image (required; see deploy/k8s/README.md)
#   SPARKGEN_NAMESPACE         namespace of the applications (default sparkgen)
#   SPARKGEN_STORAGE_URI       root of runs, shards, datasets and registry (default file:///data, the PVC)
#   SPARKGEN_DATA_SIZE         size of the PVC sparkgen-data (default 100Gi)
#   SPARKGEN_SERVICE_ACCOUNT   the driver's service account (default spark-operator-spark, the chart's)
#   SPARKGEN_SPARK_VERSION     Spark version of the image (default 3.5.7)
#   SPARKGEN_DRIVER_MEMORY     driver heap (default 4g)
#   SPARKGEN_EXECUTORS, SPARKGEN_EXECUTOR_CORES, SPARKGEN_EXECUTOR_MEMORY   (defaults 2, 1, 4g)
#   SPARKGEN_OFFHEAP           JavaCPP's off-heap limit per JVM (default 6G)
#   SPARKGEN_EXECUTOR_OVERHEAD memoryOverhead of driver and executors (default 7g; must hold the limit)
#   SPARKGEN_RETRAIN_SCHEDULE  cron schedule of the scheduled retrain (default "0 3 * * *")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../bin/jvm-flags.sh
source "$here/../../bin/jvm-flags.sh"

fail() {
  echo "render.sh: $*" >&2
  exit 2
}
out="" templates_dir="$here/templates"
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) [[ $# -ge 2 ]] || fail "--out needs a directory"; out=$2; shift 2 ;;
    --templates) [[ $# -ge 2 ]] || fail "--templates needs a directory"; templates_dir=$2; shift 2 ;;
    SPARKGEN_*=*) export "${1?}"; shift ;;
    *) fail "unknown argument '$1' (NAME=VALUE with NAME one of the SPARKGEN_ variables in this script's header)" ;;
  esac
done

declare -A var=(
  [SPARKGEN_IMAGE]="${SPARKGEN_IMAGE:-}"
  [SPARKGEN_NAMESPACE]="${SPARKGEN_NAMESPACE:-sparkgen}"
  [SPARKGEN_STORAGE_URI]="${SPARKGEN_STORAGE_URI:-file:///data}"
  [SPARKGEN_DATA_SIZE]="${SPARKGEN_DATA_SIZE:-100Gi}"
  [SPARKGEN_SERVICE_ACCOUNT]="${SPARKGEN_SERVICE_ACCOUNT:-spark-operator-spark}"
  [SPARKGEN_SPARK_VERSION]="${SPARKGEN_SPARK_VERSION:-3.5.7}"
  [SPARKGEN_DRIVER_MEMORY]="${SPARKGEN_DRIVER_MEMORY:-4g}"
  [SPARKGEN_EXECUTORS]="${SPARKGEN_EXECUTORS:-2}"
  [SPARKGEN_EXECUTOR_CORES]="${SPARKGEN_EXECUTOR_CORES:-1}"
  [SPARKGEN_EXECUTOR_MEMORY]="${SPARKGEN_EXECUTOR_MEMORY:-4g}"
  [SPARKGEN_OFFHEAP]="${SPARKGEN_OFFHEAP:-6G}"
  [SPARKGEN_EXECUTOR_OVERHEAD]="${SPARKGEN_EXECUTOR_OVERHEAD:-7g}"
  [SPARKGEN_RETRAIN_SCHEDULE]="${SPARKGEN_RETRAIN_SCHEDULE:-0 3 * * *}"
)
var[SPARKGEN_STORAGE_URI]="${var[SPARKGEN_STORAGE_URI]%/}"

# Values go into YAML and HOCON strings: check them here rather than in a failed pod.
check() { # name, regex, what it should be
  [[ ${var[$1]} =~ $2 ]] || fail "$1='${var[$1]}' is not $3"
}
[[ -n ${var[SPARKGEN_IMAGE]} ]] || fail "set SPARKGEN_IMAGE to the image you pushed (deploy/k8s/README.md)"
check SPARKGEN_IMAGE '^[^[:space:]"\\]+$' "an image reference"
check SPARKGEN_NAMESPACE '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' "a namespace name (lower-case DNS label)"
check SPARKGEN_SERVICE_ACCOUNT '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' "a service account name"
check SPARKGEN_STORAGE_URI '^[a-zA-Z][a-zA-Z0-9+.-]*://[^[:space:]"\\$]*$' "a URI (file:///data, hdfs://nn/sparkgen, s3a://bucket/sparkgen)"
check SPARKGEN_DATA_SIZE '^[0-9]+(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$' "a Kubernetes quantity (100Gi)"
check SPARKGEN_SPARK_VERSION '^3\.5\.[0-9]+$' "a Spark 3.5 version (sparkgen is built for Spark 3.5)"
check SPARKGEN_EXECUTORS '^[1-9][0-9]*$' "a positive count"
check SPARKGEN_EXECUTOR_CORES '^[1-9][0-9]*$' "a positive count"
for name in SPARKGEN_DRIVER_MEMORY SPARKGEN_EXECUTOR_MEMORY SPARKGEN_OFFHEAP SPARKGEN_EXECUTOR_OVERHEAD; do
  check "$name" '^[0-9]+[kKmMgGtT]?$' "a JVM memory size (4g, 512m)"
done
check SPARKGEN_RETRAIN_SCHEDULE '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly|every [0-9a-z.]+)|[-0-9*/,A-Za-z?]+( [-0-9*/,A-Za-z?]+){4})$' \
  "a cron schedule (five fields, or @daily / @every 24h)"
sparkgen_check_memory driver "${var[SPARKGEN_DRIVER_MEMORY]}" "${var[SPARKGEN_EXECUTOR_OVERHEAD]}" "${var[SPARKGEN_OFFHEAP]}" || exit 2
sparkgen_check_memory executor "${var[SPARKGEN_EXECUTOR_MEMORY]}" "${var[SPARKGEN_EXECUTOR_OVERHEAD]}" "${var[SPARKGEN_OFFHEAP]}" || exit 2

# The settings every cluster submission carries (bin/jvm-flags.sh): the java options and overheads go
# to the driver and executor fields of the manifests, the rest to sparkConf.
sparkgen_cluster_conf "${var[SPARKGEN_OFFHEAP]}" "${var[SPARKGEN_EXECUTOR_OVERHEAD]}" /opt/sparkgen/javacpp-cache \
  "-Dlog4j2.configurationFile=file:/opt/sparkgen/conf/log4j2.properties"
conf_lines=""
for setting in "${SPARKGEN_SPARK_CONF[@]}"; do
  key=${setting%%=*} value=${setting#*=}
  case $key in
    spark.driver.extraJavaOptions) var[SPARKGEN_DRIVER_JAVA_OPTIONS]=$value ;;
    spark.executor.extraJavaOptions) var[SPARKGEN_EXECUTOR_JAVA_OPTIONS]=$value ;;
    spark.executor.memoryOverhead | spark.driver.memoryOverhead)
      [[ $value == "${var[SPARKGEN_EXECUTOR_OVERHEAD]}" ]] || fail "$key=$value differs from the manifests' memoryOverhead" ;;
    *) conf_lines+="\"$key\": \"$value\""$'\n' ;;
  esac
done
var[SPARKGEN_SPARK_CONF]=${conf_lines%$'\n'}

# Prints template $1 rendered, indented by $2 (skip its opening comment if $3 is skip): includes
# inlined, placeholders replaced.
render() {
  local file=$1 indent=$2 line lineno=0 name value pattern='\$\{([A-Z0-9_]+)\}' header=$3
  [[ -f $file ]] || fail "$file (included) does not exist"
  while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    # An included file's opening comment describes the file, not the manifest: left out.
    if [[ $header == skip && $line == \#* ]]; then
      continue
    fi
    header=""
    if [[ $line =~ ^([[:space:]]*)#include[[:space:]]+([^[:space:]]+)[[:space:]]*$ ]]; then
      render "$(dirname "$file")/${BASH_REMATCH[2]}" "$indent${BASH_REMATCH[1]}" skip
      continue
    fi
    if [[ $line =~ ^([[:space:]]*)\$\{([A-Z0-9_]+)\}[[:space:]]*$ && ${var[${BASH_REMATCH[2]}]+set} \
        && ${var[${BASH_REMATCH[2]}]} == *$'\n'* ]]; then
      local lead=${BASH_REMATCH[1]} part
      while IFS= read -r part; do
        printf '%s%s%s\n' "$indent" "$lead" "$part"
      done <<< "${var[${BASH_REMATCH[2]}]}"
      continue
    fi
    while [[ $line =~ $pattern ]]; do
      name=${BASH_REMATCH[1]}
      [[ ${var[$name]+set} ]] || fail "$file:$lineno: \${$name} has no value (not a SPARKGEN_ variable of render.sh)"
      value=${var[$name]}
      [[ $value != *$'\n'* ]] || fail "$file:$lineno: \${$name} is several lines; it must stand alone on its line"
      line=${line/"\${$name}"/$value}
    done
    if [[ -n $line ]]; then
      printf '%s%s\n' "$indent" "$line"
    else
      echo
    fi
  done < "$file"
}

# Storage first: the applications' pods mount it.
templates=()
for t in "$templates_dir"/storage.yaml "$templates_dir"/site-config.yaml "$templates_dir"/[!_]*.yaml; do
  [[ -f $t ]] || continue
  [[ " ${templates[*]} " == *" $t "* ]] || templates+=("$t")
done
rendered=()
for t in "${templates[@]}"; do
  rendered+=("$(render "$t" "" keep)") || exit 2
done
if [[ -z $out ]]; then
  for i in "${!rendered[@]}"; do
    [[ $i -eq 0 ]] || echo "---"
    echo "${rendered[$i]}"
  done
else
  mkdir -p "$out"
  for i in "${!templates[@]}"; do
    echo "${rendered[$i]}" > "$out/$(basename "${templates[$i]}")"
  done
  echo "render.sh: wrote ${#templates[@]} manifests to $out" >&2
fi
