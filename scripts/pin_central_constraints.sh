#!/usr/bin/env bash
# Writes deploy/central/constraints.txt: the exact version of everything `pip install 'hymy[central]'`
# brings onto a server today, so every central server (and every re-install) runs the same code.
#   bash scripts/pin_central_constraints.sh            (needs Python 3.11, as on Debian 12)
# It builds the wheel, installs it with the central extra into a throwaway venv at the newest
# versions the extra allows, writes `pip freeze` with the header below, and then checks that the
# pins resolve to binary wheels for Python 3.11 on Debian 12 x86_64 and arm64 (glibc 2.36).
# Review the diff, run the tests (tests/test_packaging.py installs the sdist with these pins), commit.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
OUT=deploy/central/constraints.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Debian 12 has Python 3.11"'
"$PYTHON" -m venv "$work/venv"
"$PYTHON" -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet build
# Built from a copy of the checkout's files (as git sees them), so no build/ or egg-info is left here.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - | tar -x -C "$work/src" -f -
"$work/tools/bin/python" -m build --wheel --outdir "$work/dist" "$work/src" >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; exit 1; }
wheel=$(echo "$work"/dist/hymy-*.whl)
"$work/venv/bin/pip" install --quiet "${wheel}[central]"

{
    cat <<'EOF'
# The exact versions of everything `pip install 'hymy[central]'` brings onto a server (Python 3.11,
# Debian 12, x86_64 and arm64), so that every central server runs the same code:
#   pip install 'hymy-VERSION-py3-none-any.whl[central]' -c deploy/central/constraints.txt
# Regenerate with `bash scripts/pin_central_constraints.sh` (it also checks both architectures),
# review the diff, run tests/test_packaging.py, then move one server before the others.
EOF
    "$work/venv/bin/pip" freeze --exclude hymy
} >"$work/constraints.txt"

for arch in x86_64 aarch64; do
    platforms=(--platform "manylinux2014_$arch")
    for minor in $(seq 17 36); do platforms+=(--platform "manylinux_2_${minor}_$arch"); done
    "$work/venv/bin/pip" install --quiet --dry-run --ignore-installed --target "$work/target" \
        "${platforms[@]}" --python-version 3.11 --implementation cp --only-binary=:all: \
        -c "$work/constraints.txt" "${wheel}[central]"
    echo "pin: the pins resolve to wheels for Python 3.11 on $arch"
done
mkdir -p "$(dirname "$OUT")"
mv "$work/constraints.txt" "$OUT"
echo "pin: wrote $OUT"
