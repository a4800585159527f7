# JVM flags for running Spark 3.5 on Java 17 outside spark-submit (Spark's JavaModuleOptions), sourced
# by bin/sparkgen and deploy/ scripts. Keep in step with java17.opens in pom.xml.
SPARKGEN_JAVA17_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
)
# JavaCPP unpacks ~400 MB of natives per distinct jar name: keep one stable cache.
SPARKGEN_JAVACPP_CACHE="${SPARKGEN_JAVACPP_CACHE:-$HOME/.cache/sparkgen-javacpp}"

# JavaCPP options that bound ND4J's memory outside the Java heap, where Spark does not count it.
# maxphysicalbytes caps what JavaCPP lets the whole JVM process hold (it counts the process's resident
# memory); keep a cluster container's limit (executor memory + memoryOverhead) above it.
#   sparkgen_javacpp_opts LIMIT CACHE_DIR
sparkgen_javacpp_opts() {
  echo "-Dorg.bytedeco.javacpp.maxphysicalbytes=$1 -Dorg.bytedeco.javacpp.cachedir=$2"
}

# The Spark settings every cluster submission of sparkgen carries, as KEY=VALUE entries of the array
# SPARKGEN_SPARK_CONF: deploy/spark-submit.sh (standalone), deploy/yarn/submit.sh and the Kubernetes
# manifests (deploy/k8s/render.sh) all take them from here.
#   sparkgen_cluster_conf OFFHEAP OVERHEAD CACHE_DIR [EXTRA_DRIVER_JAVA_OPTIONS]
sparkgen_cluster_conf() {
  local javacpp
  javacpp="$(sparkgen_javacpp_opts "$1" "$3")"
  SPARKGEN_SPARK_CONF=(
    "spark.executor.extraJavaOptions=$javacpp"
    "spark.driver.extraJavaOptions=$javacpp${4:+ $4}"
    "spark.executor.memoryOverhead=$2"
    "spark.driver.memoryOverhead=$2"
    # Java serialization, pinned against a cluster default of Kryo: Spark's Kryo 4 cannot serialize Java
    # records (the broadcast AveragedState, evaluate's FeatureBlock); SerializerChoiceTest shows both.
    "spark.serializer=org.apache.spark.serializer.JavaSerializer"
    "spark.ui.showConsoleProgress=false"
  )
}

# A JVM or Spark memory size (512m, 4g, 6G; a plain number is bytes) in MiB, for comparing sizes.
sparkgen_mib() {
  local n=${1%[kKmMgGtT]} unit=${1##*[0-9]}
  if [[ ! $1 =~ ^[0-9]+[kKmMgGtT]?$ ]]; then
    echo "not a memory size: '$1' (examples: 512m, 4g)" >&2
    return 1
  fi
  case $unit in
    k | K) echo $((n / 1024)) ;;
    m | M) echo "$n" ;;
    g | G) echo $((n * 1024)) ;;
    t | T) echo $((n * 1024 * 1024)) ;;
    *) echo $((n / 1024 / 1024)) ;;
  esac
}

# Fails unless a container of MEMORY heap + OVERHEAD holds JavaCPP's OFFHEAP cap: below it, the
# cluster kills the container before JavaCPP frees memory or raises an OutOfMemoryError.
#   sparkgen_check_memory WHAT MEMORY OVERHEAD OFFHEAP
sparkgen_check_memory() {
  local memory overhead offheap
  memory=$(sparkgen_mib "$2") && overhead=$(sparkgen_mib "$3") && offheap=$(sparkgen_mib "$4") || return 1
  if (( memory + overhead < offheap )); then
    echo "$1: memory $2 + memoryOverhead $3 is below the off-heap limit $4 (JavaCPP's cap on the whole" \
      "process); raise the memoryOverhead (SPARKGEN_EXECUTOR_OVERHEAD) or lower SPARKGEN_OFFHEAP" >&2
    return 1
  fi
}
