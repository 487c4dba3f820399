# shellcheck shell=bash
# The Debian packages of a list file: the one reader of the lists' syntax (package_list), and
# install.sh's step that installs the kiosk's missing ones with apt-get (install_packages).
# scripts/setup.sh sources this file too, for package_list and its scripts/debian-packages.txt.
#
# A list holds one package a line; `#` starts a comment (on its own line or after the name);
# blank lines and spaces do not count; "a|b" is the first of the names the release knows
# (Trixie renamed some libraries).
#
# Reads:  package_list: only its file argument (bash alone, nothing from common.sh).
#         install_packages: $HERE/debian-packages.txt, R (is_live); runs apt-get update and
#         install, apt-cache show (which name of "a|b" apt knows), dpkg-query (what is installed);
#         log, die and is_live from common.sh.
# Sets:   nothing; defines package_list, install_packages.
# Writes: the system's Debian packages (apt-get install of the missing ones, live system only).

# package_list FILE: prints the entries of the list FILE, one a line ("a|b" as it is).
# Fails, saying so, when FILE cannot be read.
package_list() {
    local line
    if [[ ! -r $1 ]]; then
        printf '%s: cannot read the package list %s\n' "${0##*/}" "$1" >&2
        return 1
    fi
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [[ -z $line ]] || printf '%s\n' "$line"
    done <"$1"
}

# Prints the package names of the kiosk's list, one a line; for "a|b" the first name apt knows.
_wanted_packages() {
    local entries entry name
    entries=$(package_list "$HERE/debian-packages.txt") || return 1
    while read -r entry; do
        [[ -n $entry ]] || continue
        for name in ${entry//|/ }; do
            if apt-cache show "$name" >/dev/null 2>&1; then
                echo "$name"
                continue 2
            fi
        done
        die "none of the packages $entry is known to apt; is this Raspberry Pi OS Bookworm or Trixie?"
    done <<<"$entries"
}

_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

install_packages() {
    local pkg list wanted=() missing=()
    is_live || die "Debian packages are installed on the live system only; add --no-packages"
    apt-get update -qq
    list=$(_wanted_packages)
    mapfile -t wanted <<<"$list"
    for pkg in "${wanted[@]}"; do
        _installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "Debian packages: all there"
        return 0
    fi
    log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
