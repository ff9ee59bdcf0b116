# Shared by the bin/bench-* launchers: build what is missing, snapshot our own jars, find java. Source it after
# setting `root` (the repository) and `name` (the launcher's name, for messages).

java_bin="java"
if [[ -n "${JAVA_HOME:-}" ]]; then java_bin="$JAVA_HOME/bin/java"; fi

# bench_build MODULES PATH...: builds MODULES (comma-separated, with what they need) unless every PATH exists;
# BENCH_REBUILD=1 rebuilds anyway.
bench_build() {
  local modules="$1" missing=0 path
  shift
  for path in "$@"; do [[ -e "$path" ]] || missing=1; done
  if [[ "${BENCH_REBUILD:-0}" == "1" || $missing == 1 ]]; then
    echo "$name: building (first run takes a few minutes)..." >&2
    (cd "$root" && ./mvnw -q -B -DskipTests -pl "$modules" -am install) >&2 || {
      echo "$name: build failed; run ./mvnw -DskipTests -pl $modules -am install to see why" >&2
      exit 1
    }
  fi
}

# Run from a private copy of our own jars: a concurrent `mvn install` elsewhere rewrites them in ~/.m2 and would
# break the JVMs of a run that takes minutes (ClassNotFoundException half-way through).
snapshot="$(mktemp -d "${TMPDIR:-/tmp}/bench-classpath.XXXXXX")"
trap 'rm -rf "$snapshot"' EXIT

# snapshot_classpath CLASSES_DIR CLASSPATH_FILE NAME: the classes and our own jars copied, the rest as they are
snapshot_classpath() {
  cp -r "$1" "$snapshot/$3-classes"
  local result="$snapshot/$3-classes" entry entries
  IFS=":" read -r -a entries < "$2" || true  # no newline at the end
  for entry in "${entries[@]}"; do
    if [[ "$(basename "$entry")" == streamrag-* ]]; then
      cp "$entry" "$snapshot/" && entry="$snapshot/$(basename "$entry")"
    fi
    result="$result:$entry"
  done
  echo "$result"
}
