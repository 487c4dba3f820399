# shellcheck shell=bash
# The kiosk's platform: a 64-bit system. Four of the pinned packages (constraints.txt) have no
# wheels for 32-bit ARM (armhf), so pip would try to build them on the Pi and fail there.
#
# Reads:  `dpkg --print-architecture` and `uname -m`; die from common.sh.
# Sets:   nothing; defines check_platform (stops the install on a 32-bit system).
# Writes: nothing.

# Refuses a 32-bit userland, also under a 64-bit kernel (Raspberry Pi OS 32-bit on a Pi 4
# reports aarch64 from uname but armhf from dpkg).
check_platform() {
    local arch machine
    arch=$(dpkg --print-architecture 2>/dev/null) || arch=''
    machine=$(uname -m)
    case "$arch/$machine" in
        armhf/* | armel/* | i386/* | */armv6l | */armv7l | */i?86)
            die "this is a 32-bit system (dpkg architecture ${arch:-unknown}, machine $machine): write Raspberry Pi OS Lite 64-bit to the SD card and run install.sh there, since some of hymy's pinned packages have no 32-bit ARM builds"
            ;;
    esac
}
