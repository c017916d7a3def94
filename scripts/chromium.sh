#!/bin/sh
# Print the path of a Chromium for the browser tests, installing one if none is found:
# the system's (Debian's package), else apt-get when root, else Playwright's own download.
set -e
for candidate in "$CHROMIUM_PATH" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  echo /usr/bin/chromium
  exit 0
fi
.venv/bin/playwright install chromium >&2
echo playwright
