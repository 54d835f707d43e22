#!/usr/bin/env python3
"""The GDB helpers (tools/gdb/kine.py) against a real run.

Boots kine in QEMU halted, with its gdbstub on a free port, runs
gdb-multiarch -batch: it sources the helpers, stops in the pager's
copy_frame (a write to a copy-on-write page someone else still holds: two
processes share the frame; pager.fastfault=off, since the fault fast path
makes that copy inline) and runs every command.  Then it checks what
they printed: the pager and init among the threads, the pager's space
marked privileged, init as pid 1 and the program among the processes, the
program's text page mapped V R X U (not W) in a pool frame, the faulting
page mapped without W, and that frame held by at least two mappings that
account for its whole refcount.  It also checks the PTE and page-map bits
the helpers mirror against the C headers.  QEMU is killed at the end,
whatever happens; everything has a timeout.  Exits 77 (skipped) without
gdb-multiarch."""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile

SECTION = '=== '
# Where each mirrored constant of kine.py is defined.
HEADERS = {'kernel/riscv.h': ['PTE_V', 'PTE_R', 'PTE_W', 'PTE_X', 'PTE_U', 'PTE_G', 'PTE_A',
                              'PTE_D', 'PTE_KERNEL_OWNED', 'PTE_PPN_SHIFT', 'PAGE_SHIFT',
                              'SV39_LEVELS', 'PT_ENTRIES'],
           'pager/pagemap.h': ['PM_FLAG_COW', 'PM_FLAGS_MASK'],
           'kernel/include/kine/ipc.h': ['KINE_RIGHT_W']}
SKIPPED = 77                     # Meson's exit status for a skipped test
CONNECT_TRIES = 100              # QEMU may not listen yet: tries, CONNECT_WAIT s apart
CONNECT_WAIT = 0.1


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def header_values(repo):
    """The #defines of HEADERS, evaluated (each is a number, a shift or a mask)."""
    values = {}
    for header, names in HEADERS.items():
        text = open(os.path.join(repo, header)).read()
        for name in names:
            m = re.search(rf'^#define {name}\s+(.+?)\s*(/\*.*)?$', text, re.M)
            expr = re.sub(r'\b(0x[0-9a-f]+|\d+)[ul]+\b', r'\1', m.group(1), flags=re.I) if m else 'None'
            values[name] = eval(expr, {})
    return values


def gdb_commands(port, script, names):
    consts = ', '.join(f'("{n}", {n})' for n in names)
    return f'''set pagination off
set confirm off
python
import time
for attempt in range({CONNECT_TRIES}):
    try:
        gdb.execute('target remote 127.0.0.1:{port}')
        break
    except gdb.error:
        time.sleep({CONNECT_WAIT})
end
source {script}
python
for name, value in [{consts}]:
    print('const', name, value)
end
break copy_frame if $kine_in_pager()
continue
echo {SECTION}threads\\n
kine-threads
echo {SECTION}spaces\\n
kine-spaces
echo {SECTION}procs\\n
kine-procs
echo {SECTION}text\\n
kine-pte $kine_space(2) 0x10000
echo {SECTION}fault\\n
kine-pte mm->as va
echo {SECTION}frame\\n
kine-frame $kine_frame
echo {SECTION}end\\n
'''


def sections(out):
    parts, name = {'start': []}, 'start'
    for line in out.splitlines():
        if line.startswith(SECTION):
            name = line[len(SECTION):].strip()
            parts[name] = []
        else:
            parts[name].append(line)
    return {k: '\n'.join(v) for k, v in parts.items()}


def check(out, program, expected_consts):
    s = sections(out)
    problems = []

    def need(section, rx, what):
        if not re.search(rx, s.get(section, ''), re.M):
            problems.append(f'{section}: {what} (no /{rx}/)')

    for name, value in expected_consts.items():
        need('start', rf'^const {name} {value}$', f'kine.py\'s {name} is not the header\'s {value}')
    need('start', r'^kine: pager symbols from .*/pager/pager$', 'pager symbols loaded by the script')
    need('start', r'^Breakpoint 1, copy_frame ', 'stopped in copy_frame')
    need('threads', r'^[ *] 0x[0-9a-f]+ +[A-Z_]+ +0x[0-9a-f]+ .* pager$', 'the pager thread')
    need('threads', r'^[ *] 0x[0-9a-f]+ +[A-Z_]+ +0x[0-9a-f]+ .* pid 1 init$', 'init\'s thread')
    need('spaces', r'^0x[0-9a-f]+ .* pager \(privileged\)$', 'the pager\'s space, privileged')
    need('procs', r'^ +1 +0 +LIVE +init +\w+ +0x[0-9a-f]+ +0x[0-9a-f]+ +[1-9]\d*$', 'init, pid 1')
    need('procs', rf'^ +2 +1 +LIVE +{program} ', f'{program}, pid 2')
    need('text', r'^  flags V R X U\b', 'text mapped V R X U, not W')
    need('text', r'^  pa 0x[0-9a-f]+, pool frame \d+$', 'text in a pool frame')
    need('fault', r'^  flags V R U\b', 'the COW page mapped without W')
    m = re.search(r'^pool frame (\d+) \(pa 0x[0-9a-f]+\): refcount (\d+)$', s.get('frame', ''), re.M)
    if not m or int(m.group(2)) < 2:
        problems.append('frame: no frame with refcount >= 2')
    maps = re.findall(r'^  pid \d+ .* va 0x[0-9a-f]+  cow$', s.get('frame', ''), re.M)
    if len(maps) < 2:
        problems.append(f'frame: {len(maps)} COW mappings listed, expected at least 2')
    need('frame', r'^\d+ mappings, \d+ page-map nodes, \d+ pager frames: the refcount$',
         'mappings that account for the refcount')
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--kernel', required=True)
    ap.add_argument('--script', required=True, help='tools/gdb/kine.py')
    ap.add_argument('--repo', required=True)
    ap.add_argument('--program', default='procstat')
    ap.add_argument('--memory', default='128M')
    ap.add_argument('--qemu', default='qemu-system-riscv64')
    ap.add_argument('--gdb', default='gdb-multiarch')
    ap.add_argument('--timeout', type=float, default=60)
    a = ap.parse_args()
    if not shutil.which(a.gdb):
        print(f'{a.gdb} not found: skipped')
        return SKIPPED
    consts = header_values(a.repo)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        console = os.path.join(tmp, 'console.txt')
        commands = os.path.join(tmp, 'commands.gdb')
        with open(commands, 'w') as f:
            f.write(gdb_commands(port, a.script, list(consts)))
        qemu = subprocess.Popen(
            [a.qemu, '-machine', 'virt', '-bios', 'default', '-m', a.memory, '-smp', '1',
             '-display', 'none', '-monitor', 'none', '-serial', f'file:{console}',
             '-kernel', a.kernel, '-append', 'pager.fastfault=off ' + a.program,
             '-gdb', f'tcp:127.0.0.1:{port}', '-S'],
            stdin=subprocess.DEVNULL)
        try:
            run = subprocess.run([a.gdb, '-nx', '-batch', '-x', commands, a.kernel],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=a.timeout)
            out = run.stdout.decode(errors='replace')
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b'').decode(errors='replace') + f'\nFAIL: gdb took over {a.timeout:.0f} s'
        finally:
            qemu.kill()
            qemu.wait(timeout=a.timeout)
        print(out)
        problems = check(out, a.program, consts)
        if problems:
            print('console:\n' + open(console, errors='replace').read())
    for p in problems:
        print('FAIL:', p)
    if not problems:
        print('PASS: every kine-* command showed what the running system holds')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
