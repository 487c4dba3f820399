# shellcheck shell=bash
# `install.sh --status`: the kiosk's state as key=value lines (the Ansible playbook collects
# them from the whole fleet), then the sync agent's own words.
#
# Reads:  R; DEVICE_FILE and enrolled (enroll.sh); SCREEN_ON, SCREEN_OFF, ROTATION
#         (settings.sh); linked_version (versions.sh). Runs systemctl is-active and show,
#         python3 (the device id from device.json), /usr/local/bin/hymy-sync status (live only).
# Sets:   nothing; defines show_status.
# Writes: the key=value lines on stdout, nothing on disk.

_unit_state() {
    if is_live; then
        systemctl is-active "$1" 2>/dev/null || true
    else
        echo "not-running-in-a-staging-root"
    fi
}

_device_id() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["device_id"])' "$R$DEVICE_FILE" 2>/dev/null ||
        echo "unreadable"
}

show_status() {
    echo "version=$(linked_version current)"
    echo "previous=$(linked_version previous)"
    echo "kiosk=$(_unit_state hymy-kiosk.service)"
    if is_live; then
        echo "kiosk_restarts=$(systemctl show --property=NRestarts --value hymy-kiosk.service)"
    fi
    echo "sync=$(_unit_state hymy-sync.service)"
    if enrolled; then
        echo "enrolled=yes"
        echo "device_id=$(_device_id)"
    else
        echo "enrolled=no"
    fi
    echo "screen_on=$SCREEN_ON"
    echo "screen_off=$SCREEN_OFF"
    echo "rotation=$ROTATION"
    if is_live && enrolled; then
        echo
        /usr/local/bin/hymy-sync status || true
    fi
}
