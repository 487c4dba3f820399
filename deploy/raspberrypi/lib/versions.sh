# shellcheck shell=bash
# One virtual environment per version in /opt/hymy/versions/<version>; /opt/hymy/current is a
# symlink to the one in use (the units start /opt/hymy/current/bin/...) and /opt/hymy/previous to
# the one before. A version is switched by renaming a new symlink over the old one (`mv -T`), so a
# power cut leaves either the old or the new version in place, never a mix.
#
# Reads:  R; HYMY_PREFIX (common.sh); VENV_FROM and PIP_SPEC (install.sh's --venv-from,
#         --pip-spec); $HERE/constraints.txt (pip's constraints). Runs python3 -m venv and pip
#         (or cp -a from VENV_FROM), readlink, ln, mv -T, and each version's own python.
# Sets:   the readonly VERSIONS_DIR, COMPLETE_MARK. Defines linked_version, link_version,
#         version_built, build_version, installed_version, check_built_version, prune_versions.
# Writes: /opt/hymy/versions/VERSION/ (root's, with its .hymy-complete mark last), the links
#         /opt/hymy/current and /opt/hymy/previous; prune_versions deletes the other versions.

readonly VERSIONS_DIR=$HYMY_PREFIX/versions
readonly COMPLETE_MARK=.hymy-complete  # written last: a version without it is half built

# Prints the version a link (current or previous) points to, or nothing.
linked_version() {
    local target
    target=$(readlink "$R$HYMY_PREFIX/$1" 2>/dev/null) || return 0
    basename "$target"
}

# link_version NAME VERSION: points /opt/hymy/NAME at VERSION atomically.
link_version() {
    local name=$1 version=$2 tmp=$R$HYMY_PREFIX/.$1.new
    ln -sfn "versions/$version" "$tmp"
    mv -T "$tmp" "$R$HYMY_PREFIX/$name"
}

version_built() {
    [[ -f $R$VERSIONS_DIR/$1/$COMPLETE_MARK ]]
}

# build_version VERSION: the virtual environment of VERSION, from $VENV_FROM (a copy of a
# prepared environment) or by pip from $PIP_SPEC with the pinned constraints.
build_version() {
    local version=$1 dir=$VERSIONS_DIR/$1
    if version_built "$version"; then
        log "hymy $version is in $dir already"
        return 0
    fi
    rm -rf "$R$dir"
    ensure_dir "$VERSIONS_DIR" 0755 root
    if [[ -n $VENV_FROM ]]; then
        log "copying the environment of hymy $version from $VENV_FROM"
        mkdir -p "$R$dir"
        cp -a "$VENV_FROM/." "$R$dir/"
    else
        # A virtual environment names its own path in its scripts, so it is built where it runs.
        is_live || die "--root needs --venv-from DIR: a virtual environment cannot be moved"
        log "building hymy $version in $dir from $PIP_SPEC"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --no-cache-dir --upgrade pip
        "$dir/bin/pip" install --quiet --no-cache-dir --constraint "$HERE/constraints.txt" "$PIP_SPEC"
    fi
    chown -R 0:0 "$R$dir"
    chmod 0755 "$R$dir"
    check_built_version "$version"
    printf 'hymy %s from %s\n' "$version" "${VENV_FROM:-$PIP_SPEC}" >"$R$dir/$COMPLETE_MARK"
    chmod 0644 "$R$dir/$COMPLETE_MARK"
}

# installed_version VERSION: the version of hymy the environment built for VERSION holds.
installed_version() {
    "$R$VERSIONS_DIR/$1/bin/python" -c 'import importlib.metadata as m; print(m.version("hymy"))' 2>/dev/null
}

# check_built_version VERSION: the environment holds hymy VERSION, else it is removed (the
# current version stays as it was) and the install stops, saying what was there instead.
check_built_version() {
    local version=$1 found current
    found=$(installed_version "$version") || found=''
    [[ $found == "$version" ]] && return 0
    rm -rf "$R$VERSIONS_DIR/${version:?}"
    current=$(linked_version current)
    if [[ -n $current ]]; then current="hymy $current stays the current version"; else current="nothing was installed"; fi
    die "the environment built for hymy $version holds hymy ${found:-nothing} instead (from ${VENV_FROM:-$PIP_SPEC}): give the wheel or --pip-spec of hymy $version; $current"
}

# Deletes every version but the current and the previous one (an SD card is small).
prune_versions() {
    local dir version current previous
    current=$(linked_version current)
    previous=$(linked_version previous)
    for dir in "$R$VERSIONS_DIR"/*/; do
        [[ -d $dir ]] || continue
        version=$(basename "$dir")
        if [[ $version != "$current" && $version != "$previous" ]]; then
            rm -rf "$dir"
            log "removed hymy $version"
        fi
    done
}
