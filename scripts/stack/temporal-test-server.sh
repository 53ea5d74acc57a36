#!/usr/bin/env bash
# Provisions Temporal's time-skipping test server (the Java one, from Maven Central: the SDK's own
# download of a server cannot reach its host from here) into the stack's cache, once, and prints
# the path of a wrapper that runs it. Not a stack component: tests/support/time-skipping.ts calls
# this, so a fresh machine's `npm test` provisions it. Safe to run concurrently (flock): jest
# workers racing on a fresh cache wait for the first fetch instead of writing the same jars twice.
set -euo pipefail
: "${PASAR_CACHE_DIR:=/var/cache/pasar}"
: "${STACK_JAVA_HOME:=/usr/lib/jvm/java-17-openjdk-amd64}"
VERSION=1.31.0
HOME_DIR="$PASAR_CACHE_DIR/temporal-test-server-$VERSION"
WRAPPER="$HOME_DIR/temporal-test-server"
LOG="$HOME_DIR/install.log"

fail() { echo "[temporal-test-server] $*" >&2; exit 1; }

# The marker is written last, so an interrupted fetch is redone, never half used.
if [ ! -f "$HOME_DIR/.complete" ]; then
  mkdir -p "$PASAR_CACHE_DIR"
  exec 9>"$PASAR_CACHE_DIR/.temporal-test-server-$VERSION.lock"
  flock -w 600 9 || fail "timed out after 600 s waiting for another fetch (lock $PASAR_CACHE_DIR/.temporal-test-server-$VERSION.lock)"
  if [ ! -f "$HOME_DIR/.complete" ]; then
    command -v mvn >/dev/null || fail "Maven (mvn) is not installed: apt-get install maven"
    [ -x "$STACK_JAVA_HOME/bin/java" ] || fail "no Java at $STACK_JAVA_HOME (set STACK_JAVA_HOME; Java 17 is expected)"
    echo "[temporal-test-server] fetching io.temporal:temporal-test-server:$VERSION and its dependencies from Maven Central" >&2
    rm -rf "$HOME_DIR"
    mkdir -p "$HOME_DIR/libs"
    # Only used to fetch the jars with Maven; nothing is built.
    cat >"$HOME_DIR/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pasar.tests</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
    mvn -q -B -ntp -f "$HOME_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$HOME_DIR/libs" \
      -DincludeScope=runtime >"$LOG" 2>&1 \
      || fail "Maven could not fetch io.temporal:temporal-test-server:$VERSION (is Maven Central reachable?); log: $LOG"
    ls "$HOME_DIR/libs"/temporal-test-server-*.jar >/dev/null 2>&1 \
      || fail "Maven finished but no temporal-test-server jar is in $HOME_DIR/libs; log: $LOG"
    touch "$HOME_DIR/.complete"
  fi
fi
# The wrapper is (re)written on every call, so a change here reaches a cache fetched before it; moved
# into place whole, so a test starting the server meanwhile never runs half a file. The SDK starts it
# with the port as its argument. Each test file runs a server for seconds: the client compiler only
# and the serial collector cut its CPU by a third (measured on the unit project's workflow files),
# which C2's compile threads spent on code that is gone before it pays back.
TMP_WRAPPER=$(mktemp "$HOME_DIR/.wrapper.XXXXXX")
printf '#!/bin/sh\nexec "%s/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "%s/libs/*" io.temporal.testserver.TestServer "$@"\n' \
  "$STACK_JAVA_HOME" "$HOME_DIR" >"$TMP_WRAPPER"
chmod 755 "$TMP_WRAPPER"
mv -f "$TMP_WRAPPER" "$WRAPPER"
echo "$WRAPPER"
