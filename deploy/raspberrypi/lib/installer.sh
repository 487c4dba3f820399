# shellcheck shell=bash
# A copy of this installer on the kiosk (/opt/hymy/installer, laid out like the repository),
# so that IT staff and the Ansible playbook can upgrade, roll back and ask the status there:
# `sudo hymy-install --status`.
#
# Reads:  R; SRC_ROOT (install.sh: the repository or its copy) and the files INSTALLER_FILES
#         names there; HYMY_PREFIX, die, install_file (common.sh).
# Sets:   the readonly INSTALLER_DIR, INSTALLER_FILES. Defines install_installer_copy.
# Writes: /opt/hymy/installer/ (the files, 0755 when executable, else 0644, root's) and the
#         link /usr/local/sbin/hymy-install to its install.sh.

readonly INSTALLER_DIR=$HYMY_PREFIX/installer
# Paths in the source tree; the patterns are expanded there.
readonly INSTALLER_FILES=(
    deploy/raspberrypi/install.sh
    deploy/raspberrypi/constraints.txt
    deploy/raspberrypi/debian-packages.txt
    'deploy/raspberrypi/lib/*.sh'
    'deploy/raspberrypi/systemd/*'
    'deploy/raspberrypi/conf/*'
    'deploy/raspberrypi/bin/*'
    docs/it-guide.md
    assets/config/example-kiosk.toml
)

install_installer_copy() {
    local pattern file mode link=/usr/local/sbin/hymy-install
    ensure_dir "$INSTALLER_DIR" 0755 root
    for pattern in "${INSTALLER_FILES[@]}"; do
        # shellcheck disable=SC2206  # the pattern is expanded on purpose
        local files=("$SRC_ROOT"/$pattern)
        for file in "${files[@]}"; do
            [[ -f $file ]] || die "$file is missing from the installer"
            mode=0644
            [[ -x $file ]] && mode=0755
            install_file "$file" "$INSTALLER_DIR/${file#"$SRC_ROOT"/}" "$mode" root
        done
    done
    if [[ $(readlink "$R$link" 2>/dev/null) != "$INSTALLER_DIR/deploy/raspberrypi/install.sh" ]]; then
        mkdir -p "$R$(dirname "$link")"
        ln -sfn "$INSTALLER_DIR/deploy/raspberrypi/install.sh" "$R$link"
    fi
}
