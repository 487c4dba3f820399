# shellcheck shell=bash
# systemd: the kiosk's and sync agent's units, the screen schedule, journald's limits, the
# hardware watchdog, and the commands IT staff use on the kiosk.
#
# Reads:  R; HERE's systemd/, conf/ and bin/ (install.sh: deploy/raspberrypi); SCREEN_ON,
#         SCREEN_OFF and calendar_parts (settings.sh); CHANGED_PATHS through changed
#         (common.sh). Runs systemctl (systemctl --root in a staging root: enable/disable only).
# Sets:   the readonly UNIT_DIR, SERVICES, SCREEN_UNITS. Defines install_units, enable_units,
#         start_units.
# Writes: /etc/systemd/system/hymy-*.service and hymy-screen-on|off.timer, journald's and the
#         watchdog's drop-ins, /etc/modules-load.d/hymy-i2c.conf, /usr/local/sbin/hymy-screen,
#         /usr/local/bin/hymy-sync (all 0644 root, the commands 0755); enables the units; on a
#         live system reloads systemd and journald, starts or restarts the services.

readonly UNIT_DIR=/etc/systemd/system
readonly SERVICES=(hymy-kiosk.service hymy-sync.service)
readonly SCREEN_UNITS=(hymy-screen.service hymy-screen-on.timer hymy-screen-off.timer)

install_units() {
    local unit
    for unit in "${SERVICES[@]}" hymy-screen.service; do
        install_file "$HERE/systemd/$unit" "$UNIT_DIR/$unit" 0644 root
    done
    # A timer needs a time even while the schedule is off; it is then never enabled. A schedule
    # of several times ('Mon..Thu 16:00; Fri 14:00') gives one OnCalendar= line each.
    local schedule line text
    for unit in on off; do
        if [[ $unit == on ]]; then schedule=${SCREEN_ON:-Mon..Fri 07:00}; else schedule=${SCREEN_OFF:-Mon..Fri 18:00}; fi
        text=''
        while IFS= read -r line; do
            if [[ $line == OnCalendar=@SCREEN_*@ ]]; then
                text+=$(calendar_parts "$schedule" | sed 's/^/OnCalendar=/')$'\n'
            else
                text+=$line$'\n'
            fi
        done <"$HERE/systemd/hymy-screen-$unit.timer"
        printf '%s' "$text" | install_text "$UNIT_DIR/hymy-screen-$unit.timer" 0644 root
    done
    install_file "$HERE/conf/journald-hymy.conf" /etc/systemd/journald.conf.d/hymy.conf 0644 root
    install_file "$HERE/conf/system-watchdog.conf" /etc/systemd/system.conf.d/hymy-watchdog.conf 0644 root
    install_file "$HERE/conf/modules-i2c.conf" /etc/modules-load.d/hymy-i2c.conf 0644 root
    install_file "$HERE/bin/hymy-screen" /usr/local/sbin/hymy-screen 0755 root
    install_file "$HERE/bin/hymy-sync" /usr/local/bin/hymy-sync 0755 root
}

# Enables the services (and the screen schedule when opening hours are set); on a live system
# also reloads systemd and journald when their files changed.
enable_units() {
    if is_live && changed "$UNIT_DIR/*"; then
        systemctl daemon-reload
    fi
    if is_live && changed /etc/systemd/journald.conf.d/*; then
        systemctl restart systemd-journald.service
    fi
    systemctl_root enable --quiet "${SERVICES[@]}"
    if [[ -n $SCREEN_ON ]]; then
        systemctl_root enable --quiet "${SCREEN_UNITS[@]}"
    else
        systemctl_root disable --quiet "${SCREEN_UNITS[@]}"
    fi
    if changed /etc/systemd/system.conf.d/*; then
        log "the hardware watchdog is on from the next boot"
    fi
}

# Starts what is not running; restarts the services whose files changed (live system only).
start_units() {
    is_live || return 0
    if changed "$UNIT_DIR/hymy-*.service" || changed "$HYMY_ETC/*" || changed "$HYMY_DATA/kivy/*"; then
        systemctl restart "${SERVICES[@]}"
    else
        systemctl start "${SERVICES[@]}"
    fi
    if [[ -n $SCREEN_ON ]]; then
        systemctl restart hymy-screen-on.timer hymy-screen-off.timer
        systemctl start hymy-screen.service
    fi
}
