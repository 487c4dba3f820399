# shellcheck shell=bash
# The display, touch and schedule choices of this kiosk, kept in /etc/hymy/install.conf so that a
# later run (an upgrade, the Ansible playbook) keeps them without repeating the options.
#
# Reads:  R; ROTATION, TOUCH_PROVIDER, TOUCH_MATCH, SCREEN_ON, SCREEN_OFF when install.sh's
#         options set them (unset: not given); $R/etc/hymy/install.conf (load_settings); runs
#         `systemd-analyze calendar` (check_settings); HYMY_ETC, die, install_text (common.sh).
# Sets:   the readonly SETTINGS_FILE, SETTING_NAMES, SETTING_DEFAULTS; load_settings gives each
#         of the five settings its option, saved or default value and sets SAVED_SETTINGS.
#         Defines load_settings, check_settings, calendar_parts, save_settings.
# Writes: /etc/hymy/install.conf, 0644 root (save_settings).

readonly SETTINGS_FILE=$HYMY_ETC/install.conf
readonly SETTING_NAMES=(ROTATION TOUCH_PROVIDER TOUCH_MATCH SCREEN_ON SCREEN_OFF)
readonly -A SETTING_DEFAULTS=([ROTATION]=0 [TOUCH_PROVIDER]=mtdev)

# Each setting not given as an option takes its saved value, else its default.
load_settings() {
    local key value name
    declare -gA SAVED_SETTINGS=()
    if [[ -f $R$SETTINGS_FILE ]]; then
        while IFS='=' read -r key value; do
            [[ $key =~ ^[A-Z_]+$ ]] && SAVED_SETTINGS[$key]=$value
        done <"$R$SETTINGS_FILE"
    fi
    for name in "${SETTING_NAMES[@]}"; do
        if [[ -z ${!name+set} ]]; then
            if [[ -n ${SAVED_SETTINGS[$name]+set} ]]; then
                printf -v "$name" '%s' "${SAVED_SETTINGS[$name]}"
            else
                printf -v "$name" '%s' "${SETTING_DEFAULTS[$name]:-}"
            fi
        fi
    done
}

# Runs before anything is written, so a mistake leaves the kiosk as it was.
check_settings() {
    case $ROTATION in
        0 | 90 | 180 | 270) ;;
        *) die "--rotation must be 0, 90, 180 or 270 (degrees, clockwise), not '$ROTATION'" ;;
    esac
    case $TOUCH_PROVIDER in
        mtdev | hidinput) ;;
        *) die "--touch-provider must be mtdev (multitouch screens) or hidinput, not '$TOUCH_PROVIDER'" ;;
    esac
    if [[ $TOUCH_PROVIDER == hidinput && -z $TOUCH_MATCH ]]; then
        die "--touch-provider hidinput needs --touch-match NAME (see docs/it-guide.md)"
    fi
    [[ $TOUCH_MATCH != *,* ]] || die "--touch-match cannot hold a comma; a part of the name will do"
    if [[ -n $SCREEN_ON$SCREEN_OFF && (-z $SCREEN_ON || -z $SCREEN_OFF) ]]; then
        die "give both --screen-on and --screen-off (or neither)"
    fi
    local when part
    for when in "$SCREEN_ON" "$SCREEN_OFF"; do
        [[ -n $when ]] || continue
        calendar_parts "$when" >/dev/null ||
            die "'$when' has an empty time between its ';'; write e.g. 'Mon..Thu 16:00; Fri 14:00'"
        while IFS= read -r part; do
            systemd-analyze calendar "$part" >/dev/null 2>&1 ||
                die "'$part' is not a systemd calendar time; try e.g. 'Mon..Fri 07:00' (several times: 'Mon..Thu 16:00; Fri 14:00')"
        done < <(calendar_parts "$when")
    done
}

# The calendar times of a schedule, one a line: 'Mon..Thu 16:00; Fri 14:00' is two (each
# becomes an OnCalendar= line of its timer). Fails on an empty one ('Mon 07:00;;').
calendar_parts() {
    local part parts
    IFS=';' read -ra parts <<<"$1"
    for part in "${parts[@]}"; do
        part=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$part")
        [[ -n $part ]] || return 1
        printf '%s\n' "$part"
    done
}

save_settings() {
    local name
    for name in "${SETTING_NAMES[@]}"; do
        printf '%s=%s\n' "$name" "${!name}"
    done | install_text "$SETTINGS_FILE" 0644 root
}
