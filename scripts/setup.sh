#!/usr/bin/env bash
# Sets up a fresh machine for the demo and the tests; safe to run again (it only adds what is missing).
#  - Debian packages listed in scripts/debian-packages.txt (Xvfb, Mesa, ...), when missing and root.
#  - A virtual environment in .venv with the package, all its optional parts and the test tools.
#  - The browser tests' npm packages (tests/central/web/node: oidc-provider, axe-core), from the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
# The one reader of the Debian package lists, shared with the Raspberry Pi installer.
# shellcheck source=SCRIPTDIR/../deploy/raspberrypi/lib/packages.sh
source deploy/raspberrypi/lib/packages.sh
package_lines=$(package_list scripts/debian-packages.txt)
mapfile -t DEBIAN_PACKAGES <<<"$package_lines"

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        # Packages such as postgresql start a service when installed; the tests start their own
        # throwaway servers, so none is started here (and a machine without an init is fine).
        policy=/usr/sbin/policy-rc.d
        if [[ ! -e $policy ]]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
            trap 'rm -f "$policy"' EXIT
        fi
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: missing Debian packages ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x $VENV/bin/python ]]; then
    echo "setup: creating the virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
stamp=$VENV/.hymy-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp || setup.py -nt $stamp ]]; then
    echo "setup: installing hymy with its kiosk, sync, central and test dependencies"
    log=$VENV/pip-install.log
    # pip's build warnings are noise here; the whole log is shown only when the install fails.
    if ! { "$VENV/bin/pip" install --upgrade pip && "$VENV/bin/pip" install -e ".[pi,central,test]"; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "setup: pip install failed (log above, also in $log)" >&2
        exit 1
    fi
    touch "$stamp"
fi
# The console's browser tests run a real OpenID Connect provider and axe-core from npm; `npm ci`
# installs exactly the committed lock, again only when the lock is newer than what is installed.
node_dir=tests/central/web/node
if [[ ! -d $node_dir/node_modules || $node_dir/package-lock.json -nt $node_dir/node_modules ]]; then
    if command -v npm >/dev/null; then
        echo "setup: installing the browser tests' npm packages (oidc-provider, axe-core)"
        log=$VENV/npm-ci.log
        if ! (cd "$node_dir" && npm ci --no-audit --no-fund) >"$log" 2>&1; then
            cat "$log" >&2
            echo "setup: npm ci failed (log above, also in $log)" >&2
            exit 1
        fi
        touch "$node_dir/node_modules"
    else
        echo "setup: npm is missing, so the browser tests cannot run; install nodejs as root" >&2
    fi
fi
# Catalogs change more often than dependencies: compile them on every run (it takes milliseconds).
"$VENV/bin/python" scripts/compile_catalogs.py
