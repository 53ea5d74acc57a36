#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI; it bundles the Kubernetes API's JSON schemas, so validating
# needs no cluster and no network) into a venv in the stack's cache, once, and prints the path of
# its command. tests/integration/k8s-manifests-schema.test.ts calls this on a fresh machine.
set -euo pipefail
: "${PASAR_CACHE_DIR:=/var/cache/pasar}"
VERSION=1.37.0
VENV="$PASAR_CACHE_DIR/venv-kubernetes-validate-$VERSION"
BIN="$VENV/bin/kubernetes-validate"
# The marker is written last, so an interrupted install is redone, never half used.
if [ ! -f "$VENV/.installed" ]; then
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "[k8s-validator] installing python3-venv (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >&2
  fi
  rm -rf "$VENV"
  mkdir -p "$PASAR_CACHE_DIR"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$VERSION" >&2
  touch "$VENV/.installed"
fi
echo "$BIN"
