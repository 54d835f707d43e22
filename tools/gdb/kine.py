"""tools/gdb/kine.py: GDB commands to see inside a running kine.

Owns the debugger's view of the system: the kernel's threads, address
spaces and Sv39 page tables, and the pager's processes, page maps and frame
reference counts.  Source it in gdb-multiarch while QEMU is stopped
(tools/run --gdb APP; docs/debugging.md):

    (gdb) source tools/gdb/kine.py
    (gdb) kine-threads          the kernel's threads
    (gdb) kine-spaces           the kernel's address spaces
    (gdb) kine-pte SPACE VA     walk SPACE's page table for VA, decode the PTE
    (gdb) kine-procs            the pager's processes
    (gdb) kine-frame N          pool frame N: its refcount and who maps it

SPACE, VA and N are expressions (kine-pte mm->as va, kine-frame $kine_frame).
Functions: $kine_space(PID) is the space handle of a process,
$kine_in_pager() is 1 while the pager's space is live (for breakpoint
conditions: user programs and the pager share addresses).  kine-pte sets
$kine_pa and $kine_frame.

How it reads memory.  QEMU's gdbstub reads through the live satp with the
hart's privilege, so from U-mode the kernel's pages cannot be read at all.
Each command therefore switches the stub to physical addresses
(Qqemu.PhyMemMode, QEMU's documented gdbstub packet) and back to virtual
ones when it is done.  The kernel's memory is RAM identity-mapped, so its
symbols' addresses are physical ones.  The pager's variables, heap and
page-map nodes are reached by translating the pager's virtual addresses
through its own page table (the space whose `privileged` flag is set).
The pager's symbols (build/pager/pager) are loaded once, for types and
symbol addresses only; `set kine-pager PATH` names another file.
Nothing is read by parsing GDB's text output.
"""
import os

import gdb

# #defines that debug information does not carry, named as in the C headers.
# tests/gdb_test.py checks them against the headers.
# kernel/riscv.h
PTE_V = 1 << 0
PTE_R = 1 << 1
PTE_W = 1 << 2
PTE_X = 1 << 3
PTE_U = 1 << 4
PTE_G = 1 << 5
PTE_A = 1 << 6
PTE_D = 1 << 7
PTE_KERNEL_OWNED = 1 << 8
PTE_PPN_SHIFT = 10
PTE_LEAF_MASK = PTE_R | PTE_W | PTE_X
PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
SV39_LEVELS = 3
PT_ENTRIES = 512
VPN_BITS = PT_ENTRIES.bit_length() - 1
SATP_PPN_BITS = 44                 # satp.PPN, bits 43:0 (privileged spec, Sv39)
# pager/pagemap.h
PM_FLAG_COW = 1 << 31
PM_FLAGS_MASK = 0xf << 28

PTE_FLAG_NAMES = [(PTE_V, 'V'), (PTE_R, 'R'), (PTE_W, 'W'), (PTE_X, 'X'), (PTE_U, 'U'),
                  (PTE_G, 'G'), (PTE_A, 'A'), (PTE_D, 'D'), (PTE_KERNEL_OWNED, 'KERNEL_OWNED')]
PTE_BYTES = 8
PHYS_ON = 'maintenance packet Qqemu.PhyMemMode:1'
PHYS_OFF = 'maintenance packet Qqemu.PhyMemMode:0'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGER_IN_BUILD = os.path.join('pager', 'pager')    # under a build directory
NAME_MAX = 64                                      # bytes read for a C string


class PagerFile(gdb.Parameter):
    """The pager's ELF, for its types and symbol addresses.  Default: the
    pager of the build the kernel was loaded from, else build/pager/pager in
    the repository.  Setting it loads the file if no pager is loaded yet."""
    set_doc = 'Set the pager ELF kine.py loads symbols from.'
    show_doc = 'Show the pager ELF kine.py loads symbols from.'

    def __init__(self):
        super().__init__('kine-pager', gdb.COMMAND_DATA, gdb.PARAM_OPTIONAL_FILENAME)
        self.value = ''

    def get_set_string(self):
        if self.value:
            load_pager_symbols()
        return ''


PAGER_FILE = PagerFile()


# ---- objfiles, symbols and types ---------------------------------------

def objfile_with(symbol):
    for obj in gdb.objfiles():
        if obj.is_valid() and obj.lookup_global_symbol(symbol) is not None:
            return obj
    return None


def kernel_objfile():
    obj = objfile_with('all_threads')
    if obj is None:
        raise gdb.GdbError('kine: no kernel symbols: start gdb-multiarch with build/kernel/kine.elf')
    return obj


def pager_path():
    if PAGER_FILE.value:
        return PAGER_FILE.value
    kernel = objfile_with('all_threads')
    if kernel is not None:
        build = os.path.dirname(os.path.dirname(os.path.abspath(kernel.filename)))
        here = os.path.join(build, PAGER_IN_BUILD)
        if os.path.exists(here):
            return here
    return os.path.join(REPO, 'build', PAGER_IN_BUILD)


def load_pager_symbols():
    """The pager's objfile, loaded from pager_path() if it is not yet."""
    obj = objfile_with('pg')
    if obj is not None:
        return obj
    path = pager_path()
    if not os.path.exists(path):
        raise gdb.GdbError(f'kine: no pager ELF at {path}: set kine-pager PATH')
    confirm = gdb.parameter('confirm')
    gdb.execute('set confirm off')
    try:
        gdb.execute(f'add-symbol-file "{path}"', to_string=True)
    finally:
        if confirm:
            gdb.execute('set confirm on')
    print(f'kine: pager symbols from {path}')
    return objfile_with('pg')


def kernel_symbol(name):
    """A kernel variable (global or file-static) as a gdb.Value."""
    obj = kernel_objfile()
    sym = obj.lookup_global_symbol(name) or obj.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError(f'kine: the kernel has no symbol {name}')
    return sym.value()


def pager_symbol(name):
    """A pager variable's address (in the pager's space) and type."""
    obj = load_pager_symbols()
    sym = obj.lookup_global_symbol(name) or obj.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError(f'kine: the pager has no symbol {name}')
    return int(sym.value().address), sym.type


def enum_name(value):
    """An enumerator's name without the prefix all of its type's share."""
    fields = value.type.strip_typedefs().fields()
    prefix = os.path.commonprefix([f.name for f in fields])
    prefix = prefix[:prefix.rfind('_') + 1]
    for f in fields:
        if f.enumval == int(value):
            return f.name[len(prefix):]
    return str(int(value))


def c_string(data):
    """Bytes, or a gdb.Value char array, up to the first NUL."""
    if isinstance(data, gdb.Value):
        data = bytes(int(data[i]) & 0xff for i in range(data.type.sizeof))
    return bytes(data).split(b'\0', 1)[0].decode(errors='replace')


# ---- physical memory and page tables -------------------------------------

class PhysicalMemory:
    """While active, the stub reads physical addresses (QEMU only)."""

    def __enter__(self):
        try:
            gdb.execute(PHYS_ON, to_string=True)
        except gdb.error as e:
            raise gdb.GdbError(f'kine: needs QEMU stopped under GDB (target remote ...): {e}')
        gdb.execute('maintenance flush dcache', to_string=True)
        return self

    def __exit__(self, *exc):
        gdb.execute(PHYS_OFF, to_string=True)
        gdb.execute('maintenance flush dcache', to_string=True)
        return False


def read_phys(pa, size):
    return gdb.selected_inferior().read_memory(pa, size)


def u64_type():
    return gdb.lookup_type('unsigned long')


def read_u64(pa):
    return int(gdb.Value(read_phys(pa, PTE_BYTES), u64_type()))


def pte_to_pa(pte):
    return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT


def vpn(va, level):
    return (va >> (PAGE_SHIFT + VPN_BITS * level)) & (PT_ENTRIES - 1)


def walk(root, va):
    """The Sv39 walk of va from root: a list of (level, index, pte address,
    pte) down to the leaf or the first invalid entry, and the physical
    address va maps to (None if it maps nothing)."""
    steps, table = [], root
    for level in reversed(range(SV39_LEVELS)):
        index = vpn(va, level)
        addr = table + index * PTE_BYTES
        pte = read_u64(addr)
        steps.append((level, index, addr, pte))
        if not pte & PTE_V:
            return steps, None
        if pte & PTE_LEAF_MASK:
            span = PAGE_SHIFT + VPN_BITS * level
            return steps, pte_to_pa(pte) + (va & ((1 << span) - 1))
        table = pte_to_pa(pte)
    return steps, None


def pte_flags(pte):
    return ' '.join(name for bit, name in PTE_FLAG_NAMES if pte & bit)


# ---- the kernel's objects --------------------------------------------------

def threads():
    t = kernel_symbol('all_threads')
    while int(t):
        yield t.dereference()
        t = t['all_next']


def spaces():
    """Every address space in the kernel's handle table."""
    pages = kernel_symbol('handle_pages')
    made = int(kernel_symbol('handle_slots_made'))
    per_page = PAGE_SIZE // pages.type.target().target().sizeof
    space_ptr = kernel_symbol('all_threads').type.target()['space'].type
    for i in range(1, made):
        page = pages[i // per_page]
        if not int(page):
            continue
        slot = (page + i % per_page).dereference()
        if int(slot['obj']) and not bool(slot['is_thread']):
            yield slot['obj'].cast(space_ptr).dereference()


def pager_space(required=True):
    for s in spaces():
        if bool(s['privileged']):
            return s
    if required:
        raise gdb.GdbError('kine: no privileged (pager) space yet: has the kernel started it?')
    return None


def space_by_handle(handle):
    for s in spaces():
        if int(s['handle']) == handle:
            return s
    raise gdb.GdbError(f'kine: no address space with handle {handle:#x}')


def pool():
    """(first physical address, frames) of the user pool."""
    boot = kernel_symbol('boot')
    return int(boot['pool_pa']), int(boot['pool_frames'])


def pool_frame(pa):
    base, frames = pool()
    frame = (pa - base) >> PAGE_SHIFT
    return frame if pa >= base and frame < frames else None


# ---- the pager's memory, through its own page table ---------------------

class Pager:
    """The pager's variables, read by translating its virtual addresses
    through its page table (kept per command: tables do not change while
    QEMU is stopped)."""

    def __init__(self):
        load_pager_symbols()
        self.root = int(pager_space()['root'])
        self.pages = {}
        pg_addr, pg_type = pager_symbol('pg')
        self.pg = self.value(pg_addr, pg_type)
        self.bi = self.deref(self.pg['bi'])

    def pa(self, va):
        page = va >> PAGE_SHIFT
        if page not in self.pages:
            _, pa = walk(self.root, page << PAGE_SHIFT)
            if pa is None:
                raise gdb.GdbError(f'kine: {va:#x} is not mapped in the pager')
            self.pages[page] = pa
        return self.pages[page] + (va & (PAGE_SIZE - 1))

    def read(self, va, size):
        out = bytearray()
        while size:
            n = min(size, PAGE_SIZE - (va & (PAGE_SIZE - 1)))
            out += bytes(read_phys(self.pa(va), n))
            va, size = va + n, size - n
        return bytes(out)

    def value(self, va, gdb_type):
        return gdb.Value(self.read(va, gdb_type.sizeof), gdb_type)

    def deref(self, pointer):
        return self.value(int(pointer), pointer.type.target())

    def string(self, pointer):
        return c_string(self.read(int(pointer), NAME_MAX))

    def procs(self):
        p = self.pg['procs']
        while int(p):
            proc = self.deref(p)
            yield proc
            p = proc['next']

    def frame_of(self, va):
        return (va - int(self.bi['pool_va'])) >> PAGE_SHIFT

    def refcount(self, frame):
        ref = self.pg['frames']['ref']
        return int(self.value(int(ref) + frame * ref.type.target().sizeof, ref.type.target()))

    def heap_frames(self):
        """The frames the pager holds for itself (heap.c's heap_list)."""
        addr, list_type = pager_symbol('heap_list')
        count = int(self.pg['heap_frames'])
        if not count:
            return []
        data = self.value(int(self.value(addr, list_type)), list_type.target().array(count - 1))
        return [int(data[i]) for i in range(count)]

    def pagemap(self, proc):
        """(va, frame, flags) for every page of proc, and its node frames."""
        pm = proc['mm']['pm']
        mids = pm['mid']
        fanout = mids.type.range()[1] + 1
        bits = fanout.bit_length() - 1
        pages, nodes = [], []
        for i2 in range(fanout):
            if not int(mids[i2]):
                continue
            nodes.append(self.frame_of(int(mids[i2])))
            mid = self.deref(mids[i2])
            for i1 in range(fanout):
                if not int(mid['leaf'][i1]):
                    continue
                nodes.append(self.frame_of(int(mid['leaf'][i1])))
                slots = self.deref(mid['leaf'][i1])['slot']
                for i0 in range(fanout):
                    slot = int(slots[i0])
                    if slot:
                        va = ((i2 << (2 * bits)) | (i1 << bits) | i0) << PAGE_SHIFT
                        pages.append((va, (slot & ~PM_FLAGS_MASK) - 1, slot & PM_FLAGS_MASK))
        return pages, nodes

    def who(self):
        """Process by thread id and by space handle."""
        by_tid, by_space = {}, {}
        for p in self.procs():
            label = proc_label(p)
            by_tid[int(p['tid'])] = label
            by_space[int(p['mm']['as'])] = label
        return by_tid, by_space


def proc_label(proc):
    return f'pid {int(proc["pid"])} {c_string(proc["name"])}'


def names_or_empty():
    """Process labels from the pager if it can be read, else none."""
    try:
        return Pager().who()
    except (gdb.GdbError, gdb.MemoryError):
        return {}, {}


def handle(value):
    return f'{value:#x}' if value else '-'


# ---- commands --------------------------------------------------------------

class KineCommand(gdb.Command):
    """A kine-* command: NAME ARGS...  Its arguments are expressions,
    evaluated first (they may read the stopped program's memory through the
    live satp); then run() reads with the stub on physical addresses."""
    name = ''
    args = ()

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) != len(self.args):
            raise gdb.GdbError('usage: ' + ' '.join((self.name,) + self.args))
        values = [int(gdb.parse_and_eval(a)) for a in argv]
        with PhysicalMemory():
            self.run(*values)

    def run(self, *values):
        raise NotImplementedError


class KineThreads(KineCommand):
    """kine-threads: every kernel thread (all_threads): tid, state, space,
    pager and IPC partner, the pc it resumes at, and whose it is.
    * marks a thread some hart runs (its struct hart's thread: cur)."""

    name = 'kine-threads'

    def run(self):
        by_tid, _ = names_or_empty()
        harts = kernel_symbol('harts')
        running = {int(harts[i]['thread']) for i in range(int(kernel_symbol('nharts')))
                   if int(harts[i])}
        print(f'  {"TID":9} {"STATE":14} {"SPACE":9} {"PAGER":9} {"PARTNER":9} {"PC":18} WHO')
        for t in threads():
            space = t['space'].dereference()
            who = 'pager' if bool(space['privileged']) else by_tid.get(int(t['tid']), '')
            pager = int(t['pager']['tid']) if int(t['pager']) else 0
            partner = int(t['partner']['tid']) if int(t['partner']) else 0
            mark = '*' if int(t.address) in running else ' '
            print(f'{mark} {int(t["tid"]):<#9x} {enum_name(t["state"]):14} '
                  f'{int(space["handle"]):<#9x} {handle(pager):9} {handle(partner):9} '
                  f'{int(t["tf"]["sepc"]):#018x} {who}')


class KineSpaces(KineCommand):
    """kine-spaces: every kernel address space (the handle table): handle,
    ASID, root table, page tables held and its quota, threads, and whose."""

    name = 'kine-spaces'

    def run(self):
        _, by_space = names_or_empty()
        print(f'{"HANDLE":9} {"ASID":>5} {"ROOT":12} {"TABLES":>6} {"QUOTA":>6} '
              f'{"THREADS":>7} WHO')
        for s in spaces():
            h = int(s['handle'])
            who = 'pager (privileged)' if bool(s['privileged']) else by_space.get(h, '')
            quota = int(s['table_limit'])
            unlimited = quota == (1 << (8 * s['table_limit'].type.sizeof)) - 1
            print(f'{h:<#9x} {int(s["asid"]):5} {int(s["root"]):<#12x} '
                  f'{int(s["tables"]):6} {"-" if unlimited else quota:>6} '
                  f'{int(s["nthreads"]):7} {who}')


class KinePte(KineCommand):
    """kine-pte SPACE VA: walk address space SPACE's Sv39 page table (SPACE
    is a handle, as kine-spaces and kine-procs show) for VA, level by level,
    and decode the leaf: flags V R W X U G A D and the kernel's own
    KERNEL_OWNED, the physical address and the pool frame.  Sets $kine_pa
    and $kine_frame."""

    name = 'kine-pte'
    args = ('SPACE', 'VA')

    def run(self, space_handle, va):
        s = space_by_handle(space_handle)
        _, by_space = names_or_empty()
        who = 'pager' if bool(s['privileged']) else by_space.get(space_handle, '')
        root = int(s['root'])
        print(f'space {space_handle:#x} ({who}), root {root:#x}, va {va:#x}')
        steps, pa = walk(root, va)
        for level, index, addr, pte in steps:
            kind = ('invalid' if not pte & PTE_V else
                    'leaf' if pte & PTE_LEAF_MASK else f'table {pte_to_pa(pte):#x}')
            print(f'  level {level} [{index:3}] at {addr:#x}: pte {pte:#018x}  {kind}')
        if pa is None:
            print('  not mapped')
            return
        leaf = steps[-1][3]
        frame = pool_frame(pa)
        print(f'  flags {pte_flags(leaf)}')
        print(f'  pa {pa:#x}, ' + (f'pool frame {frame}' if frame is not None
                                    else 'not in the user pool'))
        gdb.set_convenience_variable('kine_pa', pa)
        gdb.set_convenience_variable('kine_frame', -1 if frame is None else frame)


class KineProcs(KineCommand):
    """kine-procs: the pager's processes (pg.procs): pid, parent, state,
    name, policy, thread, address space and resident pages."""

    name = 'kine-procs'

    def run(self):
        pager = Pager()
        print(f'{"PID":>5} {"PPID":>5} {"STATE":7} {"NAME":16} {"POLICY":8} {"TID":9} '
              f'{"SPACE":9} {"RESIDENT":>8}')
        for p in pager.procs():
            policy = pager.string(pager.deref(p['policy'])['name']) if int(p['policy']) else '-'
            print(f'{int(p["pid"]):5} {int(p["ppid"]):5} {enum_name(p["state"]):7} '
                  f'{c_string(p["name"]):16} {policy:8} {handle(int(p["tid"])):9} '
                  f'{handle(int(p["mm"]["as"])):9} {int(p["mm"]["pm"]["count"]):8}')


class KineFrame(KineCommand):
    """kine-frame N: pool frame N's reference count (pg.frames.ref[N]) and
    everything that holds it, found by walking every process's page map:
    each (pid, va) that maps it (cow: marked copy-on-write), page-map nodes
    and the pager's own heap frames."""

    name = 'kine-frame'
    args = ('N',)

    def run(self, frame):
        pager = Pager()
        base, frames = pool()
        if not 0 <= frame < frames:
            raise gdb.GdbError(f'kine: the pool has frames 0 to {frames - 1}')
        ref = pager.refcount(frame)
        print(f'pool frame {frame} (pa {base + (frame << PAGE_SHIFT):#x}): refcount {ref}')
        maps = nodes = 0
        for p in pager.procs():
            label = proc_label(p)
            pages, node_frames = pager.pagemap(p)
            for va, f, flags in pages:
                if f == frame:
                    maps += 1
                    print(f'  {label:24} va {va:#x}' + ('  cow' if flags & PM_FLAG_COW else ''))
            if frame in node_frames:
                nodes += 1
                print(f'  {label:24} page-map node')
        heap = pager.heap_frames().count(frame)
        if heap:
            print('  the pager\'s own (frame table, heap)')
        found = maps + nodes + heap
        print(f'{maps} mappings, {nodes} page-map nodes, {heap} pager frames: '
              + ('the refcount' if found == ref else f'{found} of the refcount {ref}'))


class KineSpace(gdb.Function):
    """$kine_space(PID): the address-space handle of process PID."""

    def __init__(self):
        super().__init__('kine_space')

    def invoke(self, pid):
        pid = int(pid)
        with PhysicalMemory():
            for p in Pager().procs():
                if int(p['pid']) == pid:
                    return int(p['mm']['as'])
        raise gdb.GdbError(f'kine: no process {pid}')


class KineInPager(gdb.Function):
    """$kine_in_pager(): 1 if the live satp is the pager's space, else 0.
    For breakpoints on pager code: break copy_frame if $kine_in_pager()."""

    def __init__(self):
        super().__init__('kine_in_pager')

    def invoke(self):
        satp = int(gdb.selected_frame().read_register('satp'))
        with PhysicalMemory():
            space = pager_space(required=False)
            root = int(space['root']) if space is not None else None
        return int(root is not None and (satp & ((1 << SATP_PPN_BITS) - 1)) == root >> PAGE_SHIFT)


for command in (KineThreads, KineSpaces, KinePte, KineProcs, KineFrame, KineSpace, KineInPager):
    command()

if objfile_with('all_threads') is not None:
    try:
        load_pager_symbols()
    except gdb.GdbError as e:
        print(e)
