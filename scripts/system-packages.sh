#!/usr/bin/env bash
# The Debian packages the test suite drives besides Python's: Chromium for the console's browser
# tests (Playwright uses /usr/bin/chromium, it downloads no browser) and makensis for the Windows
# installer script. Installed when missing and we may (root with apt-get); otherwise say what is
# missing: the tests that need it then skip with the same words.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v makensis >/dev/null 2>&1 || need+=(nsis)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1; } \
        || echo "could not install ${need[*]}: the tests that need them skip"
else
    echo "missing ${need[*]} (sudo apt install ${need[*]}): the tests that need them skip"
fi
exit 0
