# shellcheck shell=bash
# The screen and the touch: Kivy's own config (KMS/DRM, one input provider per touch device,
# rotation, no cursor, no screensaver) and the kernel's console (no blanking, no cursor).
#
# Reads:  R; TOUCH_PROVIDER, TOUCH_MATCH, ROTATION (settings.sh); HYMY_DATA and the hymy ids
#         (common.sh, account.sh); $R/boot/firmware/cmdline.txt or $R/boot/cmdline.txt.
# Sets:   the readonly KIVY_HOME_DIR, KIVY_CONFIG_VERSION, BOOT_CMDLINE_PARAMS; adds the cmdline
#         file to CHANGED_PATHS when it changes it. Defines kivy_touch_rule, write_kivy_config,
#         boot_cmdline_file, configure_boot_cmdline.
# Writes: /var/lib/hymy/kivy/ (0750 hymy) and its config.ini (0640 root:hymy); the kernel's
#         command line file (renamed over, on the FAT boot partition).

readonly KIVY_HOME_DIR=$HYMY_DATA/kivy
# Kivy adds its default input providers (a mouse and one probe of every input device) to a
# config older than its own version; this is Kivy 2.3's, so nothing is added.
readonly KIVY_CONFIG_VERSION=27
readonly BOOT_CMDLINE_PARAMS=(consoleblank=0 vt.global_cursor_default=0)

# The [input] line: one probesysfs rule that gives each touch device exactly one provider.
# mtdev takes every multitouch device (select_all=0 skips keyboards, mice and barcode
# scanners, which Kivy would otherwise take on a Pi); hidinput, for single-touch screens,
# needs the device's name, since such a screen looks like any other pointer.
kivy_touch_rule() {
    local rule
    if [[ $TOUCH_PROVIDER == hidinput ]]; then
        rule="probesysfs,provider=hidinput,select_all=1"
    else
        rule="probesysfs,provider=mtdev,select_all=0"
    fi
    if [[ -n $TOUCH_MATCH ]]; then
        rule+=",match=$TOUCH_MATCH"
    fi
    echo "$rule"
}

write_kivy_config() {
    local rule
    rule=$(kivy_touch_rule)
    ensure_dir "$KIVY_HOME_DIR" 0750 hymy
    install_text "$KIVY_HOME_DIR/config.ini" 0640 root:hymy <<EOF
# Kivy's settings for the Hymy kiosk; install.sh writes this file (change its options, not this).
[kivy]
config_version = $KIVY_CONFIG_VERSION
log_level = info
log_enable = 0
exit_on_escape = 0
keyboard_mode = system

[graphics]
fullscreen = auto
borderless = 1
show_cursor = 0
rotation = $ROTATION
allow_screensaver = 0
multisamples = 0

[input]
# One rule, no "mouse" line: fullscreen the kiosk adds no mouse provider of its own, and SDL
# does not copy touches into mouse clicks (SDL_TOUCH_MOUSE_EVENTS=0 in hymy-kiosk.service).
touch = $rule

[postproc]
jitter_distance = 0
EOF
}

# The file the Pi's firmware gives the kernel as its command line, or nothing.
boot_cmdline_file() {
    local path
    for path in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        if [[ -f $R$path ]]; then
            echo "$path"
            return 0
        fi
    done
}

# Sets the console parameters on the kernel's command line (one line; the rest kept as it is).
# The boot partition is FAT: the file is replaced by a rename, with no owner or mode to set.
configure_boot_cmdline() {
    local path line param word words=() kept=()
    path=$(boot_cmdline_file)
    if [[ -z $path ]]; then
        log "no /boot/firmware/cmdline.txt here: console blanking left as it is"
        return 0
    fi
    line=$(head -n 1 "$R$path")
    read -ra words <<<"$line"
    for word in "${words[@]}"; do
        for param in "${BOOT_CMDLINE_PARAMS[@]}"; do
            # Another value of one of ours (consoleblank=600) goes; ours is added below.
            [[ $word == "${param%%=*}="* && $word != "$param" ]] && continue 2
        done
        kept+=("$word")
    done
    for param in "${BOOT_CMDLINE_PARAMS[@]}"; do
        [[ " ${kept[*]} " == *" $param "* ]] || kept+=("$param")
    done
    [[ ${kept[*]} != "$line" ]] || return 0
    printf '%s\n' "${kept[*]}" >"$R$path.hymy-new"
    mv -f "$R$path.hymy-new" "$R$path"
    CHANGED_PATHS+=("$path")
    log "set ${BOOT_CMDLINE_PARAMS[*]} in $path (from the next boot)"
}
