# shellcheck shell=bash
# Shared by install.sh's steps: messages, the install root, and idempotent file writes.
#
# Every path given to these functions is the path on the kiosk (/etc/hymy/...); they add the
# staging root ($R, empty on a live system) themselves. A file is rewritten only when its
# content differs, and then atomically (a temporary file renamed over it), so a second run
# changes nothing and a power cut never leaves half a file.
#
# Reads:  R, the staging root ('' on a live system; install.sh sets it from --root);
#         $R/etc/passwd (read_hymy_ids); HYMY_UID and HYMY_GID (numeric_owner of hymy).
#         Runs mkdir, chmod, chown, cmp, mktemp, mv, grep, cut, systemctl (systemctl_root).
# Sets:   the readonly paths HYMY_PREFIX, HYMY_ETC, HYMY_DATA and the user HYMY_USER;
#         CHANGED_PATHS (each path install_file rewrote); HYMY_UID, HYMY_GID (read_hymy_ids).
#         Defines log, die, is_live, read_hymy_ids, numeric_owner, ensure_dir, install_file,
#         install_text, install_if_missing, changed, systemctl_root.
# Writes: the files and directories (under $R) its callers name; messages on stderr.

# The paths of a kiosk; fixed names that the units, the docs and the sync agent share.
readonly HYMY_PREFIX=/opt/hymy
readonly HYMY_ETC=/etc/hymy
readonly HYMY_DATA=/var/lib/hymy
readonly HYMY_USER=hymy

# Paths written this run whose content changed (install.sh restarts what depends on them).
CHANGED_PATHS=()

log() {
    printf 'hymy-install: %s\n' "$*" >&2
}

die() {
    log "$*"
    exit 1
}

# True when installing onto the running system rather than into a staging root.
is_live() {
    [[ -z $R ]]
}

# Sets HYMY_UID and HYMY_GID from the root's own /etc/passwd (a staging root has its own).
read_hymy_ids() {
    local line
    line=$(grep "^${HYMY_USER}:" "$R/etc/passwd") || die "no user ${HYMY_USER} in $R/etc/passwd"
    HYMY_UID=$(cut -d: -f3 <<<"$line")
    HYMY_GID=$(cut -d: -f4 <<<"$line")
}

# numeric_owner root|hymy -> "uid:gid"; numbers, because a staging root's hymy is not the host's.
numeric_owner() {
    case $1 in
        root) echo 0:0 ;;
        root:hymy) echo "0:${HYMY_GID}" ;;
        hymy) echo "${HYMY_UID}:${HYMY_GID}" ;;
        *) die "unknown owner $1" ;;
    esac
}

# ensure_dir PATH MODE OWNER: creates the directory (and its parents) and sets mode and owner.
ensure_dir() {
    local path=$R$1
    mkdir -p "$path"
    chmod "$2" "$path"
    chown "$(numeric_owner "$3")" "$path"
}

# install_file SRC PATH MODE OWNER: PATH gets SRC's content, MODE and OWNER.
install_file() {
    local src=$1 path=$2 mode=$3 owner dest=$R$2 tmp
    owner=$(numeric_owner "$4")
    mkdir -p "$(dirname "$dest")"
    if [[ -f $dest && ! -L $dest ]] && cmp -s "$src" "$dest"; then
        chmod "$mode" "$dest"
        chown "$owner" "$dest"
        return 0
    fi
    tmp=$(mktemp "$(dirname "$dest")/.hymy-install.XXXXXX")
    cat "$src" >"$tmp"
    chmod "$mode" "$tmp"
    chown "$owner" "$tmp"
    mv -f "$tmp" "$dest"
    CHANGED_PATHS+=("$path")
    log "wrote $path"
}

# install_text PATH MODE OWNER <<<CONTENT: like install_file, with the content on stdin.
install_text() {
    local content
    content=$(mktemp)
    cat >"$content"
    install_file "$content" "$@"
    rm -f "$content"
}

# install_if_missing SRC PATH MODE OWNER: a file the IT staff edit afterwards; never overwritten.
install_if_missing() {
    if [[ -e $R$2 ]]; then
        chmod "$3" "$R$2"
        chown "$(numeric_owner "$4")" "$R$2"
    else
        install_file "$@"
    fi
}

# changed PATTERN: true when a path matching the glob PATTERN was rewritten this run.
changed() {
    local path
    for path in "${CHANGED_PATHS[@]}"; do
        # shellcheck disable=SC2053  # the pattern is a glob on purpose
        [[ $path == $1 ]] && return 0
    done
    return 1
}

# Calls systemctl on the live system, or on the staging root's files (enable/disable only).
systemctl_root() {
    if is_live; then
        systemctl "$@"
    else
        systemctl --root="$R" "$@"
    fi
}
