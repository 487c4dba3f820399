# shellcheck shell=bash
# The kiosk's own TOML config in /etc/hymy: readable by hymy (it holds the admin PIN's hash),
# writable by root only. IT staff edit it afterwards, so a later run never overwrites it
# unless given --config.
#
# Reads:  R; CONFIG_FILE (install.sh's --config, '' when not given); SRC_ROOT's
#         assets/config/example-kiosk.toml; HYMY_ETC and the hymy ids (common.sh, account.sh).
# Sets:   the readonly KIOSK_CONFIG. Defines install_kiosk_config.
# Writes: /etc/hymy/ (0755 root) and /etc/hymy/kiosk.toml (0640 root:hymy): --config's file, or
#         the example when there is none yet.

readonly KIOSK_CONFIG=$HYMY_ETC/kiosk.toml

install_kiosk_config() {
    ensure_dir "$HYMY_ETC" 0755 root
    if [[ -n $CONFIG_FILE ]]; then
        install_file "$CONFIG_FILE" "$KIOSK_CONFIG" 0640 root:hymy
    elif [[ ! -e $R$KIOSK_CONFIG ]]; then
        install_file "$SRC_ROOT/assets/config/example-kiosk.toml" "$KIOSK_CONFIG" 0640 root:hymy
        log "$KIOSK_CONFIG is the example: set its [admin] pin_hash (the example's PIN is 2468)"
    else
        install_if_missing "$SRC_ROOT/assets/config/example-kiosk.toml" "$KIOSK_CONFIG" 0640 root:hymy
    fi
}
