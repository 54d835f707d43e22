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

# qemu_cpu DIR [NAME]: QEMU's -cpu for NAME (vector, scalar, or a -cpu
# string as it is), or without NAME the build's default (-Dvector, which
# meson writes to DIR/qemu-cpu.txt).
KINE_VECTOR_CPU='rv64,v=true,vlen=128'
qemu_cpu() {
    local name=${2:-}
    if [ -z "$name" ]; then
        name=$(cat "$1/qemu-cpu.txt" 2>/dev/null || echo rv64)
    fi
    case $name in
        vector) echo "$KINE_VECTOR_CPU" ;;
        scalar) echo rv64 ;;
        *) echo "$name" ;;
    esac
}
