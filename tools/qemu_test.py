#!/usr/bin/env python3
"""Boot kine in QEMU once and check what the guest printed and how it ended.

Used by `meson test` for every QEMU test: it fails if the guest does not
power off within --timeout seconds, if QEMU's exit status is not --status,
if any --expect regex is missing from the output, or if any --reject regex
is present.  On failure the whole console output is shown.

Every --expect pattern must be anchored at a line start (`^`): a line is
tagged by whoever printed it (`kernel:`, `pager:`, or a program's name,
added by the pager), and only the kernel and the pager can start a line
with their own tag, so an anchored pattern cannot be forged by a program.

--cpu CPU is QEMU's -cpu (the build's default comes from -Dvector).

--send REGEX TEXT types TEXT on the guest's serial console once REGEX
(anchored too) has appeared in the output after the previous --send's
match; the steps run in order.  TEXT takes Python escapes: \\n is Enter,
\\x04 Ctrl-D, \\x03 Ctrl-C, \\x15 Ctrl-U, \\x7f backspace.  Without
--send, QEMU's standard input is /dev/null.

--swap SIZE attaches a zeroed raw disk image of SIZE bytes (a temporary
file, removed afterwards; K, M and G suffixes) as a virtio-blk device,
modern virtio-mmio unless --swap-legacy.  --swap-error read|write puts
QEMU's blkdebug driver under it, so every read (or write) the guest asks
for fails with EIO."""
import argparse, codecs, os, re, subprocess, sys, tempfile, threading, time

SMP_SLOWDOWN = 3   # timeouts of a run put on several harts by KINE_TEST_SMP

POLL_SECONDS = 0.05
EIO = 5
SIZE_UNITS = {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
# blkdebug: the first request of the kind arms the rule, which then fails
# every request of that kind (iotype) with errno.
BLKDEBUG_RULE = '[inject-error]\nevent = "{kind}_aio"\niotype = "{kind}"\nerrno = "{errno}"\n'


def disk_size(text):
    """SIZE with an optional K, M or G suffix, in bytes."""
    m = re.fullmatch(r'(\d+)([KMG]?)', text.upper())
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f'not a disk size: {text} (e.g. 256M)')
    return int(m.group(1)) * SIZE_UNITS[m.group(2)]


def swap_args(tmp, size, error, legacy):
    """QEMU arguments for a fresh disk image in tmp, and blkdebug's rule."""
    image = os.path.join(tmp, 'swap.img')
    with open(image, 'wb') as f:
        f.truncate(size)
    source = image
    if error:
        rules = os.path.join(tmp, 'blkdebug.conf')
        with open(rules, 'w') as f:
            f.write(BLKDEBUG_RULE.format(kind=error, errno=EIO))
        source = f'blkdebug:{rules}:{image}'
    args = ['-drive', f'file={source},if=none,format=raw,id=swap',
            '-device', 'virtio-blk-device,drive=swap']
    return args + ([] if legacy else ['-global', 'virtio-mmio.force-legacy=false'])


def run_qemu(cmd, steps, timeout):
    """Run QEMU, typing each step's text once its pattern shows; returns
    (output, exit status or None on timeout, steps not reached)."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if steps else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks = []
    reader = threading.Thread(target=lambda: [chunks.append(b) for b in iter(
        lambda: p.stdout.read1(4096), b'')], daemon=True)
    reader.start()
    deadline, pos, pending = time.monotonic() + timeout, 0, list(steps)
    while p.poll() is None and time.monotonic() < deadline:
        if pending:
            out = b''.join(chunks).decode(errors='replace').replace('\r\n', '\n')
            m = re.compile(pending[0][0], re.M).search(out, pos)
            if m:
                pos = m.end()
                try:
                    p.stdin.write(pending.pop(0)[1].encode('latin-1'))
                    p.stdin.flush()
                except BrokenPipeError:
                    pass
                continue
        time.sleep(POLL_SECONDS)
    status = p.poll()
    if status is None:
        p.kill()
        p.wait()
    reader.join(timeout=5)
    out = b''.join(chunks).decode(errors='replace').replace('\r\n', '\n')
    return out, status, pending


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--qemu', default='qemu-system-riscv64')
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--memory', default='128M')
    ap.add_argument('--append', default='')
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--status', type=int, default=0)
    ap.add_argument('--status-not', default='',
                    help='comma-separated statuses that fail the test; any other passes '
                         '(instead of --status)')
    ap.add_argument('--expect', action='append', default=[])
    ap.add_argument('--reject', action='append', default=[])
    ap.add_argument('--send', nargs=2, action='append', default=[], metavar=('REGEX', 'TEXT'),
                    help='type TEXT once REGEX has appeared (in order)')
    ap.add_argument('--smp', type=int,
                    help='harts (default: 1 with --icount, else $KINE_TEST_SMP or 1)')
    ap.add_argument('--icount', action='store_true', help='exact instruction counting')
    ap.add_argument('--cpu', default='rv64',
                    help="QEMU's -cpu (rv64,v=true,vlen=128: a hart with vectors)")
    ap.add_argument('--swap', type=disk_size, metavar='SIZE', help='attach a disk of SIZE')
    ap.add_argument('--swap-error', choices=['read', 'write'],
                    help='every read or write of the disk fails with EIO')
    ap.add_argument('--swap-legacy', action='store_true',
                    help='the disk on legacy virtio-mmio (version 1)')
    a = ap.parse_args()
    if (a.swap_error or a.swap_legacy) and not a.swap:
        ap.error('--swap-error and --swap-legacy need --swap')
    loose = [rx for rx in a.expect + [s[0] for s in a.send] if not rx.startswith('^')]
    if loose:
        ap.error(f'--expect and --send patterns must start with ^ (forgeable otherwise): {loose}')
    steps = [(rx, codecs.decode(text, 'unicode_escape')) for rx, text in a.send]

    if a.smp is None:       # exact counts need one hart (docs/benchmarks.md)
        a.smp = 1 if a.icount else int(os.environ.get('KINE_TEST_SMP', '1'))
        if a.smp > 1:       # the smp4 setup (meson.build): several harts run slower
            a.timeout *= SMP_SLOWDOWN
    cmd = [a.qemu, '-machine', 'virt', '-bios', 'default', '-m', a.memory, '-smp', str(a.smp),
           '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
           '-cpu', a.cpu, '-kernel', a.kernel, '-append', a.append]
    if a.icount:
        cmd += ['-icount', 'shift=0']
    with tempfile.TemporaryDirectory(prefix='kine-swap-') as tmp:
        if a.swap:
            cmd += swap_args(tmp, a.swap, a.swap_error, a.swap_legacy)
        out, status, unsent = run_qemu(cmd, steps, a.timeout)
    if status is None:
        print(out)
        waiting = f'; still waiting for /{unsent[0][0]}/ to type' if unsent else ''
        print(f'FAIL: no power-off within {a.timeout:.0f} s (append "{a.append}"){waiting}')
        return 1
    # OpenSBI's banner is noise here; keep from the kernel's first line on.
    start = out.find('kernel:')
    shown = out[start:] if start >= 0 else out
    problems = []
    if a.status_not:
        if status in {int(x) for x in a.status_not.split(',')}:
            problems.append(f'exit status {status}, one of {a.status_not}')
    elif status != a.status:
        problems.append(f'exit status {status}, expected {a.status}')
    for rx, _ in unsent:
        problems.append(f'never typed: /{rx}/ did not appear')
    for rx in a.expect:
        if not re.search(rx, out, re.M):
            problems.append(f'missing: /{rx}/')
    for rx in a.reject:
        m = re.search(rx, out, re.M)
        if m:
            problems.append(f'unexpected: /{rx}/ matched "{m.group(0)}"')
    print(shown)
    for pr in problems:
        print('FAIL:', pr)
    if not problems:
        print(f'PASS: "{a.append}" -> status {status}, {len(a.expect)} patterns found')
    return 1 if problems else 0

if __name__ == '__main__':
    sys.exit(main())
