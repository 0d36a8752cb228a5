#!/usr/bin/env bash
# Prints the path of a kubectl binary for the cluster tests: the one on PATH if any, otherwise
# Debian's kubernetes-client package unpacked (not installed: it conflicts with other kubectl
# packages) into a cache directory. Exits non-zero when neither can be had.
set -euo pipefail
# KO_KUBECTL names a binary to use; KO_KUBECTL_IGNORE_PATH=1 skips PATH (to test with Debian's).
if [ -n "${KO_KUBECTL:-}" ] && [ -x "$KO_KUBECTL" ]; then
  echo "$KO_KUBECTL"
  exit 0
fi
if [ "${KO_KUBECTL_IGNORE_PATH:-}" != 1 ] && command -v kubectl >/dev/null 2>&1; then
  command -v kubectl
  exit 0
fi
cache="${KO_KUBECTL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ko-kubectl}"
bin="$(find "$cache/root" -type f -path "*/bin/kubectl" 2>/dev/null | head -n 1 || true)"
if [ -z "$bin" ]; then
  mkdir -p "$cache"
  cd "$cache"
  if ! apt-get download kubernetes-client >/dev/null 2>&1; then
    apt-get update >/dev/null 2>&1 || true
    apt-get download kubernetes-client >/dev/null
  fi
  rm -rf root
  dpkg -x kubernetes-client_*.deb root
  bin="$(find "$cache/root" -type f -path "*/bin/kubectl" | head -n 1)"
fi
[ -x "$bin" ] || { echo "kubectl.sh: no kubectl found" >&2; exit 1; }
echo "$bin"
