#!/usr/bin/env bash
# Makes sure the system programs the browser and Rails tests need are here. Installs them with apt-get
# when it can (Debian, root); otherwise stops and names what to install. It never lets a test be skipped.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v ruby >/dev/null 2>&1 || ! command -v puma >/dev/null 2>&1 \
   || ! ruby -e 'require "action_cable"' >/dev/null 2>&1; then
  need+=(ruby-rails puma)
fi
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ruby -e 'require "redis"' >/dev/null 2>&1 || need+=(ruby-redis)
ruby -e 'require "sqlite3"' >/dev/null 2>&1 || need+=(ruby-sqlite3)
[ ${#need[@]} -eq 0 ] && exit 0

echo "cable-courier tests need the Debian packages: ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing them with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null || {
    echo "apt-get install ${need[*]} failed" >&2; exit 1; }
  exit 0
fi
echo "Install them (e.g. 'sudo apt-get install -y ${need[*]}') and run the tests again." >&2
exit 1
