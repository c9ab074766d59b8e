#!/bin/sh
# Make Debian's Chromium available for the browser tests (Playwright's own download does not work
# offline). Installs it with apt when missing and we are root; otherwise says what to do and goes on
# (the browser tests then skip with that message).
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
  echo "warning: apt-get could not install chromium; browser tests will be skipped" >&2
  exit 0
fi
echo "note: chromium is not installed and apt-get is not usable here (need root); browser tests will be skipped. Install it with: sudo apt-get install chromium" >&2
exit 0
