# shellcheck shell=bash
# Enrolment: trades the one-time code for the kiosk's device id and token, with the installed
# sync agent run as the user hymy, so that device.json is hymy's own and nobody else's.
#
# Reads:  R; CENTRAL, CODE, CA_FILE, KIOSK_ID, INSECURE (install.sh's options); HYMY_UID,
#         HYMY_GID (account.sh); HYMY_PREFIX, HYMY_DATA, HYMY_ETC (common.sh). Runs
#         /opt/hymy/current/bin/hymy-sync enroll as hymy (setpriv).
# Sets:   the readonly DEVICE_FILE, CA_FILE_PATH. Defines enrolled, secure_device_file,
#         enroll_kiosk.
# Writes: /etc/hymy/central-ca.pem (0644 root, with --ca-file); /var/lib/hymy/device.json
#         (written by hymy-sync, then 0600 hymy).

readonly DEVICE_FILE=$HYMY_DATA/device.json
readonly CA_FILE_PATH=$HYMY_ETC/central-ca.pem

enrolled() {
    [[ -f $R$DEVICE_FILE ]]
}

# The token file: readable by hymy alone, whatever the agent's umask was.
secure_device_file() {
    chmod 0600 "$R$DEVICE_FILE"
    chown "$(numeric_owner hymy)" "$R$DEVICE_FILE"
}

enroll_kiosk() {
    local args=()
    [[ -n $CENTRAL && -n $CODE ]] || return 0
    if enrolled; then
        log "this kiosk is enrolled already ($DEVICE_FILE); to enrol it again: sudo hymy-sync enroll --force --central URL --code CODE"
        secure_device_file
        return 0
    fi
    args=(--central "$CENTRAL" --code "$CODE")
    if [[ -n $CA_FILE ]]; then
        install_file "$CA_FILE" "$CA_FILE_PATH" 0644 root
        args+=(--ca-file "$R$CA_FILE_PATH")
    fi
    [[ -z $KIOSK_ID ]] || args+=(--kiosk-id "$KIOSK_ID")
    ((!INSECURE)) || args+=(--insecure)
    log "enrolling with $CENTRAL"
    if ! setpriv --reuid="$HYMY_UID" --regid="$HYMY_GID" --clear-groups \
        env HOME="$R$HYMY_DATA" HYMY_DATA_DIR="$R$HYMY_DATA" \
        "$R$HYMY_PREFIX/current/bin/hymy-sync" --data-dir "$R$HYMY_DATA" enroll "${args[@]}"; then
        die "enrolment failed (above); the kiosk is installed: run install.sh again with --central and --code (a new code if this one was used or is over 24 hours old)"
    fi
    enrolled || die "hymy-sync enroll wrote no $DEVICE_FILE"
    secure_device_file
}
