#!/usr/bin/env bash
# Runs the bridge in Apache Karaf and shows one proactive run dispatched end to end:
#   builds the bundle and the features descriptor (mvn -Pkaraf install), fetches the Karaf distribution from
#   Maven Central, unpacks it into target/karaf-demo/, starts a local Gateway simulator and a local Collavre
#   receiver (karaf/src/test/java/.../KarafDemoPeers), writes their addresses into
#   etc/io.collavre.openclaw.bridge.cfg, starts Karaf, installs the feature over the Karaf shell and waits until
#   Collavre received the run. Prints the result; exit 0 on success, non-zero otherwise. Karaf is stopped at the end.
#
# Versions: Karaf 4.4.8 (the Karaf that Camel Karaf 4.14.x is built and tested with; Java 17).
# The bundle embeds Camel 4.17.0, the project's one Camel version. The Camel Karaf features are not used: the
# Maven repository this project builds from lists org.apache.camel.karaf:apache-camel 4.x features only for
# 4.10.7 and 4.14.5 (none for 4.15-4.17), and of the bundles those features name, the Camel Karaf bundles
# (org.apache.camel.karaf:camel-api, camel-core-engine, camel-yaml-dsl, camel-vertx-websocket, camel-jackson,
# camel-http, ...) are not served at all, only camel-core-osgi; so no Camel Karaf version can be installed here.
#
# Environment: KARAF_VERSION (default 4.4.8), MVN_ARGS (extra Maven arguments, e.g. -o),
#              KARAF_DEMO_TIMEOUT (seconds, from the simulators' start, that the bridge has to complete the
#              Gateway handshake; default 240).
set -euo pipefail
cd "$(dirname "$0")/.."

KARAF_VERSION=${KARAF_VERSION:-4.4.8}
TIMEOUT=${KARAF_DEMO_TIMEOUT:-240}
WORK=target/karaf-demo
KARAF_HOME=$WORK/apache-karaf-$KARAF_VERSION
FEATURE=openclaw-proactive-bridge
START=$SECONDS

command -v java >/dev/null || { echo "java not found: install a JDK 17" >&2; exit 1; }
command -v mvn >/dev/null || { echo "mvn not found: install Maven 3.8+" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 not found (used to pick free ports)" >&2; exit 1; }

step() { printf '[%4ss] %s\n' "$((SECONDS - START))" "$*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PEERS_PID=
KARAF_STARTED=
cleanup() {
  local status=$?
  exec 3>&- 2>/dev/null || true
  if [[ -n "$PEERS_PID" ]] && kill -0 "$PEERS_PID" 2>/dev/null; then
    kill "$PEERS_PID" 2>/dev/null || true
  fi
  if [[ -n "$KARAF_STARTED" ]]; then
    step "stopping Karaf"
    "$KARAF_HOME/bin/stop" >/dev/null 2>&1 || true
    local pid
    pid=$(cat "$KARAF_HOME/karaf.pid" 2>/dev/null || true)
    for _ in $(seq 1 60); do
      [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      echo "Karaf (pid $pid) did not stop within 60s: killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  step "done, exit $status"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

VERSION=$(python3 -c 'import xml.etree.ElementTree as E; n={"m":"http://maven.apache.org/POM/4.0.0"}; print(E.parse("pom.xml").getroot().find("m:version", n).text)')

step "building the bundle and the features descriptor (mvn -Pkaraf install -DskipTests)"
mkdir -p "$WORK"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -Pkaraf install dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$WORK/test-classpath.txt" -Dmdep.includeScope=test

step "fetching org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz from Maven Central"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
  -Dartifact="org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz" -DoutputDirectory="$WORK"
rm -rf "$KARAF_HOME"
tar xzf "$WORK/apache-karaf-$KARAF_VERSION.tar.gz" -C "$WORK"

step "starting the Gateway simulator and the Collavre receiver"
SETTINGS=$WORK/bridge-settings.cfg
PEERS_IN=$WORK/peers.stdin
rm -f "$SETTINGS" "$PEERS_IN"
mkfifo "$PEERS_IN"
# The simulators stay up until their standard input (the FIFO, held open on fd 3) is closed.
java -cp "target/test-classes:target/classes:$(cat "$WORK/test-classpath.txt")" \
  io.collavre.openclaw.bridge.karaf.KarafDemoPeers "$SETTINGS" "$TIMEOUT" <"$PEERS_IN" >"$WORK/peers.log" 2>&1 &
PEERS_PID=$!
exec 3>"$PEERS_IN"
for _ in $(seq 1 300); do
  [[ -f "$SETTINGS" ]] && break
  kill -0 "$PEERS_PID" 2>/dev/null || { cat "$WORK/peers.log"; echo "the simulators did not start" >&2; exit 1; }
  sleep 0.1
done
[[ -f "$SETTINGS" ]] || { cat "$WORK/peers.log"; echo "the simulators wrote no settings" >&2; exit 1; }
grep '^peers:' "$WORK/peers.log" || true

step "configuring Karaf: bridge settings in etc/io.collavre.openclaw.bridge.cfg, local ports, shell user"
cp "$SETTINGS" "$KARAF_HOME/etc/io.collavre.openclaw.bridge.cfg"
SSH_PORT=$(free_port)
PASSWORD=demo-$RANDOM$RANDOM
sed -i -e "s/^sshPort *=.*/sshPort = $SSH_PORT/" -e "s/^sshHost *=.*/sshHost = 127.0.0.1/" \
  "$KARAF_HOME/etc/org.apache.karaf.shell.cfg"
sed -i -e "s/^rmiRegistryPort *=.*/rmiRegistryPort = $(free_port)/" -e "s/^rmiServerPort *=.*/rmiServerPort = $(free_port)/" \
  "$KARAF_HOME/etc/org.apache.karaf.management.cfg"
cat >>"$KARAF_HOME/etc/users.properties" <<EOF
karaf = $PASSWORD,_g_:admingroup
_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh
EOF
# Artifacts come from the Karaf distribution and the local Maven repository (where mvn install put the bridge):
# no remote repository, so nothing is fetched behind the script's back.
sed -i -e '/^org.ops4j.pax.url.mvn.repositories *=/,/[^\\]$/d' "$KARAF_HOME/etc/org.ops4j.pax.url.mvn.cfg"
echo "org.ops4j.pax.url.mvn.repositories =" >>"$KARAF_HOME/etc/org.ops4j.pax.url.mvn.cfg"

step "starting Karaf $KARAF_VERSION"
KARAF_STARTED=yes
# Not fd 3: Karaf would hold the simulators' standard input open and they would never stop.
"$KARAF_HOME/bin/start" 3>&-

# Commands go in batch mode (-b, on standard input): with a command argument and no terminal, bin/client of
# Karaf 4.4 closes the session before the command ran ("Closed", apache/karaf#2926).
client() {
  local rc
  set +e
  printf '%s\n' "$1" | "$KARAF_HOME/bin/client" -h 127.0.0.1 -a "$SSH_PORT" -u karaf -p "$PASSWORD" -r 60 -d 1 -b 2>&1 3>&- \
    | { grep -v 'JAVA_HOME not set' || true; }
  rc=${PIPESTATUS[1]}
  set -e
  return "$rc"
}

REPO=mvn:io.collavre.openclaw/openclaw-proactive-bridge/$VERSION/xml/features
step "feature:repo-add $REPO"
# The shell may answer before the features commands are registered: retry until the command exists.
for attempt in $(seq 1 60); do
  if out=$(client "feature:repo-add $REPO"); then
    echo "$out"
    break
  fi
  [[ $attempt -lt 60 ]] || { echo "$out"; echo "feature:repo-add failed" >&2; exit 1; }
  sleep 1
done

step "feature:install $FEATURE"
client "feature:install $FEATURE" || { echo "feature:install failed" >&2; exit 1; }
client "feature:list -i | grep $FEATURE" || true
client "bundle:list -s | grep io.collavre" || true

step "waiting for the run to reach Collavre (the simulator waits up to ${TIMEOUT}s for the handshake)"
for _ in $(seq 1 $(( (TIMEOUT + 60) * 5 ))); do
  grep -qE '^(PASSED|FAILED)' "$WORK/peers.log" && break
  kill -0 "$PEERS_PID" 2>/dev/null || break
  sleep 0.2
done
sed -n -e '/^peers:/p' -e '/^collavre received/p' -e '/^PASSED/p' -e '/^FAILED/p' "$WORK/peers.log"

LOG=$KARAF_HOME/data/log/karaf.log
RUN_ID=$(sed -n 's/^PASSED: run \([^ ]*\) .*/\1/p' "$WORK/peers.log")
DISPATCHED=
if [[ -n "$RUN_ID" ]]; then
  step "waiting for the bridge to log runId=$RUN_ID ... outcome=dispatched"
  for _ in $(seq 1 150); do
    grep -qE "runId=$RUN_ID .*outcome=dispatched status=200" "$LOG" && { DISPATCHED=yes; break; }
    sleep 0.2
  done
fi
exec 3>&-
set +e
wait "$PEERS_PID"
PEERS_STATUS=$?
set -e
PEERS_PID=

echo "--- the bridge's decisions in $LOG ---"
grep -E "outcome=|handshake=" "$LOG" | sed -e 's/^.*| //' || true

STATUS=$PEERS_STATUS
if [[ $STATUS -eq 0 && -z "$DISPATCHED" ]]; then
  echo "FAILED: Collavre got the run but the bridge did not log its dispatch with status 200" >&2
  STATUS=1
fi
for key in openclaw.gateway.token collavre.token; do
  secret=$(sed -n "s/^$key = //p" "$SETTINGS")
  if [[ -n "$secret" ]] && grep -rqF "$secret" "$KARAF_HOME/data/log"; then
    echo "FAILED: the value of $key appears in Karaf's log" >&2
    STATUS=1
  fi
done
if [[ $STATUS -ne 0 ]]; then
  echo "--- peers log ---"; cat "$WORK/peers.log"
  echo "--- last lines of $LOG ---"; tail -n 60 "$LOG"
  echo "KARAF DEMO FAILED"
else
  echo "KARAF DEMO PASSED in $((SECONDS - START))s: Karaf $KARAF_VERSION, feature $FEATURE $VERSION"
fi
exit "$STATUS"
