# shellcheck shell=bash
# The system user `hymy` that runs the kiosk and the sync agent, and its device groups.
#
# In a staging root (--root DIR) the user is created in DIR's own /etc/passwd and /etc/group
# with `useradd --prefix DIR`, so the host's users stay untouched; files there are owned by
# the uid and gid that the root's passwd gives hymy.
#
# Reads:  R; HYMY_USER, HYMY_DATA (common.sh); $R/etc/passwd, $R/etc/group. Runs groupadd,
#         useradd and usermod (with --prefix in a staging root).
# Sets:   the readonly HYMY_GROUPS; HYMY_UID, HYMY_GID (ensure_account ends in read_hymy_ids).
#         Defines ensure_account.
# Writes: the system user hymy and its groups in $R/etc/passwd, $R/etc/group.

# The groups that open the kiosk's devices: GPU (render), display (video), touch and
# keyboard-mode barcode scanners (input), serial printers and scanners (dialout).
readonly HYMY_GROUPS=(render video input dialout)

_prefix_args() {
    if ! is_live; then
        printf '%s\n' --prefix "$R"
    fi
}

_group_exists() {
    grep -q "^$1:" "$R/etc/group"
}

_is_member() {
    local members
    members=$(awk -F: -v group="$1" '$1 == group { print $4 }' "$R/etc/group")
    tr ',' '\n' <<<"$members" | grep -qx "$HYMY_USER"
}

ensure_account() {
    local group prefix=() missing=()
    mapfile -t prefix < <(_prefix_args)
    [[ -f $R/etc/passwd && -f $R/etc/group ]] ||
        die "$R/etc/passwd or $R/etc/group is missing: --root must be an operating system's root"
    for group in "${HYMY_GROUPS[@]}"; do
        if ! _group_exists "$group"; then
            groupadd "${prefix[@]}" --system "$group"
            log "created group $group"
        fi
    done
    if ! grep -q "^${HYMY_USER}:" "$R/etc/passwd"; then
        useradd "${prefix[@]}" --system --user-group --home-dir "$HYMY_DATA" --no-create-home \
            --shell /usr/sbin/nologin --comment "Hymy kiosk" "$HYMY_USER"
        log "created user $HYMY_USER"
    fi
    for group in "${HYMY_GROUPS[@]}"; do
        _is_member "$group" || missing+=("$group")
    done
    if ((${#missing[@]})); then
        usermod "${prefix[@]}" --append --groups "$(IFS=,; echo "${missing[*]}")" "$HYMY_USER"
        log "added $HYMY_USER to ${missing[*]}"
    fi
    read_hymy_ids
}
