# shellcheck shell=bash
# Changing the running version: switch /opt/hymy/current, restart, check that the kiosk comes up
# and stays up, and switch back when it does not.
#
# Reads:  R; HYMY_SETTLE_SECONDS from the environment (default 30); SERVICES (units.sh); the
#         links and builds of versions.sh. Runs systemctl restart, show and is-active, sleep.
# Sets:   SETTLE_SECONDS. Defines kiosk_comes_up, change_version, upgrade_to, roll_back.
# Writes: the links /opt/hymy/current and /opt/hymy/previous (and back on a failure); on a live
#         system restarts hymy-kiosk and hymy-sync.

# Seconds the new kiosk must run without a restart after it said READY=1.
SETTLE_SECONDS=${HYMY_SETTLE_SECONDS:-30}

# True when hymy-kiosk came up (READY=1 within its TimeoutStartSec) and ran SETTLE_SECONDS
# without being restarted (a crash or a missed watchdog restarts it: NRestarts grows).
kiosk_comes_up() {
    local restarts
    systemctl restart hymy-sync.service || log "hymy-sync did not start; see: journalctl -u hymy-sync"
    systemctl restart hymy-kiosk.service || return 1
    restarts=$(systemctl show --property=NRestarts --value hymy-kiosk.service)
    sleep "$SETTLE_SECONDS"
    systemctl is-active --quiet hymy-kiosk.service &&
        [[ $(systemctl show --property=NRestarts --value hymy-kiosk.service) == "$restarts" ]]
}

# change_version VERSION: makes the built VERSION current (the current one becomes previous);
# on a live system restarts and checks, and on failure puts both links back and says so.
change_version() {
    local new=$1 old old_previous
    old=$(linked_version current)
    old_previous=$(linked_version previous)
    if [[ $new == "$old" ]]; then
        log "hymy $new is the current version already"
        return 0
    fi
    [[ -z $old ]] || link_version previous "$old"
    link_version current "$new"
    log "hymy $new is the current version (was ${old:-none})"
    is_live || return 0
    if [[ -n $old ]] && ! kiosk_comes_up; then
        log "hymy $new did not come up (journalctl -u hymy-kiosk -n 50); going back to $old"
        link_version current "$old"
        if [[ -n $old_previous ]]; then link_version previous "$old_previous"; else rm -f "$R$HYMY_PREFIX/previous"; fi
        systemctl restart "${SERVICES[@]}" || true
        return 1
    fi
}

upgrade_to() {
    build_version "$1"
    change_version "$1" || die "upgrade to hymy $1 failed; hymy $(linked_version current) runs again"
    prune_versions
}

roll_back() {
    local previous
    previous=$(linked_version previous)
    [[ -n $previous ]] || die "there is no previous version to roll back to"
    version_built "$previous" || die "the previous version $previous is incomplete; upgrade instead"
    change_version "$previous" || die "hymy $previous did not come up either; hymy $(linked_version current) runs again"
}
