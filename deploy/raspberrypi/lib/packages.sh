# shellcheck shell=bash
# The Debian packages of debian-packages.txt: installs the missing ones with apt-get.

# Prints the package names of the list, one a line; for "a|b" the first name apt knows.
_wanted_packages() {
    local line name
    while read -r line; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [[ -n $line ]] || continue
        for name in ${line//|/ }; do
            if apt-cache show "$name" >/dev/null 2>&1; then
                echo "$name"
                continue 2
            fi
        done
        die "none of the packages $line is known to apt; is this Raspberry Pi OS Bookworm or Trixie?"
    done <"$HERE/debian-packages.txt"
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
