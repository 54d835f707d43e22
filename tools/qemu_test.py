#!/usr/bin/env python3
"""Boot kine in QEMU once and check what the guest printed and how it ended.

Used by `meson test` for every QEMU test: it fails if the guest does not
power off within --timeout seconds, if QEMU's exit status is not --status,
if any --expect regex is missing from the output, or if any --reject regex
is present.  On failure the whole console output is shown.

Every --expect pattern must be anchored at a line start (`^`): a line is
tagged by whoever printed it (`kernel:`, `pager:`, or a program's name,
added by the pager), and only the kernel and the pager can start a line
with their own tag, so an anchored pattern cannot be forged by a program."""
import argparse, re, subprocess, sys

def main():
    ap = argparse.ArgumentParser(description=__doc__)
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
    ap.add_argument('--icount', action='store_true', help='exact instruction counting')
    a = ap.parse_args()
    loose = [rx for rx in a.expect if not rx.startswith('^')]
    if loose:
        ap.error(f'--expect patterns must start with ^ (forgeable otherwise): {loose}')

    cmd = [a.qemu, '-machine', 'virt', '-bios', 'default', '-m', a.memory, '-smp', '1',
           '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
           '-kernel', a.kernel, '-append', a.append]
    if a.icount:
        cmd += ['-icount', 'shift=0']
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=a.timeout)
        out, status = p.stdout.decode(errors='replace').replace('\r\n', '\n'), p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace')
        print(out)
        print(f'FAIL: no power-off within {a.timeout:.0f} s (append "{a.append}")')
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
