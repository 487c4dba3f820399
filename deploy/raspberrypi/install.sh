#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Makes a Raspberry Pi (Raspberry Pi OS Lite 64-bit, Bookworm or Trixie) a locked-down Hymy
# kiosk, enrols it, and later upgrades or rolls it back. Safe to run again: a second run with
# the same options changes nothing. The steps are in lib/, one file each; docs/it-guide.md
# walks through it from a blank SD card.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# The repository (or its copy in /opt/hymy/installer) this script belongs to.
SRC_ROOT=$(cd "$HERE/../.." && pwd)

usage() {
    cat <<'EOF'
Usage: sudo install.sh [options]               install (and enrol with --central and --code)
       sudo install.sh --upgrade VERSION [...]  switch to VERSION; back again if it fails
       sudo install.sh --rollback               switch to the previous version
       sudo install.sh --status                 the kiosk's state, as key=value lines

Enrolment:
  --central URL          the central, e.g. https://hymy.example.fi
  --code CODE            a one-time code from `hymy-central enroll-code --site SITE`
  --kiosk-id ID          this kiosk's name at its site (default: the host name)
  --ca-file PEM          the CA that signed the central's certificate (default: the system's)
  --insecure             allow plain http to the central (a lab, never a health station)

Screen and touch (kept in /etc/hymy/install.conf for later runs):
  --rotation DEG         0, 90, 180 or 270 degrees clockwise (default 0)
  --touch-provider P     mtdev (multitouch screens, the default) or hidinput (single touch)
  --touch-match NAME     only the touch device whose name holds NAME (see /proc/bus/input/devices)
  --screen-on CAL        opening time, a systemd calendar time, e.g. 'Mon..Fri 07:00'
  --screen-off CAL       closing time, e.g. 'Mon..Fri 18:00' (both, or neither); several
                         times separated by ';', e.g. 'Mon..Thu 16:00; Fri 14:00'
  --screen-always-on     drop the opening hours

What is installed:
  --config FILE          the kiosk's TOML config for /etc/hymy/kiosk.toml (replaces the one there)
  --version VERSION      the version to install (default: the repository's own)
  --pip-spec SPEC        what pip installs (default: this repository with [pi], or
                         'hymy[pi]==VERSION' from PIP_INDEX_URL / PIP_FIND_LINKS); also $HYMY_PIP_SPEC
  --venv-from DIR        copy a virtual environment prepared in DIR instead of running pip;
                         it must have been built at /opt/hymy/versions/VERSION (tests use a fake one)
  --no-packages          skip apt-get (the Debian packages are there already, or a staging root)
  --root DIR             install into the staging root DIR instead of this system: files,
                         the user hymy in DIR's own /etc/passwd, enabled units; nothing started
EOF
}

# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"
# shellcheck source=lib/platform.sh
source "$HERE/lib/platform.sh"
# shellcheck source=lib/settings.sh
source "$HERE/lib/settings.sh"
# shellcheck source=lib/packages.sh
source "$HERE/lib/packages.sh"
# shellcheck source=lib/account.sh
source "$HERE/lib/account.sh"
# shellcheck source=lib/versions.sh
source "$HERE/lib/versions.sh"
# shellcheck source=lib/config.sh
source "$HERE/lib/config.sh"
# shellcheck source=lib/display.sh
source "$HERE/lib/display.sh"
# shellcheck source=lib/installer.sh
source "$HERE/lib/installer.sh"
# shellcheck source=lib/units.sh
source "$HERE/lib/units.sh"
# shellcheck source=lib/enroll.sh
source "$HERE/lib/enroll.sh"
# shellcheck source=lib/upgrade.sh
source "$HERE/lib/upgrade.sh"
# shellcheck source=lib/status.sh
source "$HERE/lib/status.sh"

ACTION=install
ROOT=/
CENTRAL='' CODE='' CA_FILE='' KIOSK_ID='' INSECURE=0
CONFIG_FILE='' VERSION='' PIP_SPEC=${HYMY_PIP_SPEC:-} VENV_FROM='' PACKAGES=1

need_value() {
    [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (install.sh --help)"
}

while (($#)); do
    case $1 in
        --central | --code | --kiosk-id | --ca-file | --rotation | --touch-provider | --screen-on | \
            --screen-off | --config | --version | --pip-spec | --venv-from | --root | --upgrade)
            need_value "$@"
            ;;&
        --central) CENTRAL=$2 ;;
        --code) CODE=$2 ;;
        --kiosk-id) KIOSK_ID=$2 ;;
        --ca-file) CA_FILE=$2 ;;
        --insecure) INSECURE=1 ;;
        --rotation) ROTATION=$2 ;;
        --touch-provider) TOUCH_PROVIDER=$2 ;;
        --touch-match) TOUCH_MATCH=${2?--touch-match needs a value} ;;
        --screen-on) SCREEN_ON=$2 ;;
        --screen-off) SCREEN_OFF=$2 ;;
        --screen-always-on) SCREEN_ON='' SCREEN_OFF='' ;;
        --config) CONFIG_FILE=$2 ;;
        --version) VERSION=$2 ;;
        --pip-spec) PIP_SPEC=$2 ;;
        --venv-from) VENV_FROM=$2 ;;
        --no-packages) PACKAGES=0 ;;
        --root) ROOT=$2 ;;
        --upgrade) ACTION=upgrade VERSION=$2 ;;
        --rollback) ACTION=rollback ;;
        --status) ACTION=status ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown option $1 (install.sh --help)" ;;
    esac
    case $1 in
        --insecure | --no-packages | --screen-always-on | --rollback | --status) shift ;;
        *) shift 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || die "run it as root (sudo)"
[[ -d $ROOT ]] || die "--root $ROOT is not a directory"
R=$(readlink -f "$ROOT")
[[ $R != / ]] || R=''
for file in "$CA_FILE" "$CONFIG_FILE"; do
    [[ -z $file || -f $file ]] || die "$file does not exist"
done
[[ -z $VENV_FROM || -x $VENV_FROM/bin/hymy-kiosk ]] ||
    die "--venv-from $VENV_FROM has no bin/hymy-kiosk: not an environment with hymy"

# The version: given, else the repository's own (pyproject.toml), else the one installed.
if [[ -z $VERSION && -f $SRC_ROOT/pyproject.toml ]]; then
    VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$SRC_ROOT/pyproject.toml")
fi
[[ -n $VERSION || $ACTION != install || -n $(linked_version current) ]] ||
    die "give --version VERSION (no repository here to take it from)"
[[ -z $VERSION || $VERSION =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]] || die "'$VERSION' is not a version"
if [[ -z $PIP_SPEC ]]; then
    if [[ -f $SRC_ROOT/pyproject.toml ]] && grep -qx "version = \"$VERSION\"" "$SRC_ROOT/pyproject.toml"; then
        PIP_SPEC="${SRC_ROOT}[pi]"
    else
        PIP_SPEC="hymy[pi]==$VERSION"
    fi
fi

# Every check before the first write: a mistake leaves the kiosk as it was.
[[ $ACTION != install && $ACTION != upgrade ]] || check_platform
load_settings
check_settings
[[ -z $CENTRAL$CODE || (-n $CENTRAL && -n $CODE) ]] || die "enrolment needs both --central URL and --code CODE"
if [[ -n $R && -z $VENV_FROM ]]; then
    # A virtual environment names its own path in its scripts: it cannot be built for a staging root.
    if [[ ($ACTION == install && -z $(linked_version current)) || ($ACTION == upgrade && ! -f $R$VERSIONS_DIR/$VERSION/$COMPLETE_MARK) ]]; then
        die "--root needs --venv-from DIR: a virtual environment cannot be moved"
    fi
fi

provision() {
    if ((PACKAGES)); then install_packages; fi
    ensure_account
    ensure_dir "$HYMY_PREFIX" 0755 root
    ensure_dir "$HYMY_DATA" 0750 hymy
    install_kiosk_config
    save_settings
    write_kivy_config
    configure_boot_cmdline
    install_installer_copy
    install_units
}

case $ACTION in
    install)
        provision
        if [[ -z $(linked_version current) ]]; then
            build_version "$VERSION"
            change_version "$VERSION"
        elif [[ -n $VERSION && $(linked_version current) != "$VERSION" ]]; then
            log "hymy $(linked_version current) is installed; to change it: install.sh --upgrade $VERSION"
        fi
        enable_units
        enroll_kiosk
        start_units
        log "done: hymy $(linked_version current)$(enrolled && echo ', enrolled' || echo ', not enrolled yet')"
        ;;
    upgrade)
        provision
        enable_units
        upgrade_to "$VERSION"
        start_units
        ;;
    rollback)
        read_hymy_ids
        roll_back
        ;;
    status) show_status ;;
esac
