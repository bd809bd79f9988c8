#!/usr/bin/env bash
# Install everything the test suite needs (system packages for the browser tests, Python packages), then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ -x /usr/sbin/nginx ] || need+=(nginx)   # tests/test_nginx.py runs the README's proxy block
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "浏览器与反向代理测试需要系统包：sudo apt-get install -y ${need[*]}（Debian/Ubuntu）" >&2
    exit 1
  fi
fi
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
exec python -m pytest -q "$@"
