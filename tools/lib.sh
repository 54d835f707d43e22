# Shared by tools/run, tools/test and tools/bench: configure and build a
# build directory when needed.  Source it; it defines ensure_build DIR [OPTS].
KINE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ensure_build() {
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$KINE_ROOT" --cross-file "$KINE_ROOT/cross-riscv.txt" "$@" >&2
    elif [ $# -gt 0 ]; then
        meson configure "$dir" "$@" >&2
    fi
    meson compile -C "$dir" >&2
}
