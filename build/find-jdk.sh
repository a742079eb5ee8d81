# Sourced by .ci/run and ./jobstream: finds a JDK 21 or newer.
# find_jdk prints the home of the newest JDK >= 21 among $JAVA_HOME, /usr/lib/jvm/*, /opt/java/*, /opt/jdk*,
# and the JDK of the `java` on PATH; prints nothing when there is none.

jdk_major() { # $1 = a JDK home; prints its feature version or nothing
  local rel="$1/release"
  [[ -x "$1/bin/javac" && -f "$rel" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
}

find_jdk() {
  local best="" best_v=0 home v candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  candidates+=(/usr/lib/jvm/* /opt/java/* /opt/jdk*)
  for home in "${candidates[@]}"; do
    [[ -d "$home" ]] || continue
    v="$(jdk_major "$home")"
    if [[ -n "$v" && "$v" -ge 21 && "$v" -gt "$best_v" ]]; then
      best="$home"
      best_v="$v"
    fi
  done
  [[ -n "$best" ]] && readlink -f "$best"
  return 0
}
