#!/usr/bin/env bash
# Make sure Debian's chromium and chromium-driver are installed, for the browser test (tests/browser).
# Installs them with apt-get when missing (needs root); never downloads a browser any other way.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "chromium: $(chromium --version 2>/dev/null | head -n1); chromedriver: $(chromedriver --version | head -n1)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: chromium/chromedriver ontbreken en apt-get is niet beschikbaar;" \
        "installeer chromium en chromium-driver met de pakketbeheerder van dit systeem." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure-chromium: root (of sudo) is nodig om chromium te installeren." >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver
echo "chromium: $(chromium --version 2>/dev/null | head -n1); chromedriver: $(chromedriver --version | head -n1)"
