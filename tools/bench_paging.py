"""tools/bench paging [-C BUILDDIR] [--quick] [--pages P] [--length L] [--frames LIST]
                  [--pattern NAME ...] [--reclaim NAME ...] [-j JOBS] [--out DIR] [--no-build]

Page faults and disk transfers of kine's replacement policies against the
memory a program has, next to Belady's OPT on the very same reference
strings (docs/paging.md, "Measuring: tools/bench paging").

For each reference pattern, each replacement policy of the build (the
list in BUILDDIR/pager/reclaim/reclaims.txt) and each memory size, boots
QEMU with a fresh swap disk and runs

    pager.policy=lazy pager.reclaim=POLICY pager.frames=N refbench PATTERN P L SEED

(apps/refbench.c), reading its RESULT line and the pager's watermarks.  A
memory size is F, the frames the pattern has to itself:

    F = N - in_use - high

N the pool (pager.frames), in_use the frames in use when the replay
starts (the pager's tables and heap, the drivers, init, refbench's own
pages), high the pager's high watermark (the free frames paging keeps).
N is found per policy and size before the runs: boots with an empty
string (LENGTH 0) measure in_use and high, and N moves until F comes out
exactly.  tools/refsim then counts OPT's faults (and the simulated
policies') on the same string with F frames.

Faults are pages brought in: zero fills (first touches: the lazy policy
fills on demand), page-ins from disk, pages taken back from the swap
cache; disk I/O is pages read plus pages written.  Prints a table, writes
BUILDDIR/bench-paging.png, .json and .csv (or into --out DIR) and, for the
default configuration, docs/img/paging.png, the plot docs/paging.md shows.
--quick: 100 pages, two sizes, a few seconds."""
import argparse, concurrent.futures, csv, json, math, os, re, statistics, subprocess, sys, tempfile

import qemu_test    # tools/qemu_test.py: the swap disk's QEMU arguments

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATTERNS = ('seq', 'random', 'hotcold', 'belady')   # lib/refpattern.c's, in its order
MEMORY_POLICY = 'lazy'      # first touches are demand-zero faults, as in OPT's model
SEED = 1                    # random and hotcold's; the others ignore it
PAGE_BYTES = 4096
MIB = 1 << 20

# The belady string: 12 references to 5 numbers, each a block of P/5 pages
# (lib/include/kinelib/refpattern.h).  A run replays whole periods of it,
# so that FIFO's anomaly (3 blocks of frames beat 4) is not cut short.
BELADY_STRING_LEN = 12
BELADY_NUMBERS = 5
BELADY_PERIODS = 2

# Sizes as fractions of the pattern's pages.  0.7 and 0.9 fall between 3
# and 4 blocks of frames, and between 4 and 5: the two sides of the
# anomaly.  1.1: everything fits, only first touches fault.
# --quick: 0.5 and 0.7, since the pattern holds some frames more than F
# (docs/paging.md), which at 100 pages would make 0.9 fit.
DEFAULT = {'pages': 500, 'fractions': (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.1)}
QUICK = {'pages': 100, 'fractions': (0.5, 0.7)}

# The first pool tried for a size: F plus this, a guess at what kine
# itself holds with a small pool; the calibration boots correct it.
FIRST_GUESS_OVERHEAD = 256
CALIBRATION_TRIES = 6       # boots to land F exactly (two or three suffice)
RUN_TIMEOUT = 120           # seconds for one boot (the longest default run takes 5)
SWAP_MIN_MIB = 16           # the disk: at least this, and room for every page twice
# A curve that rises by more than this from one size to the next is marked
# on the plot: more memory, more faults (Belady's anomaly), not noise,
# which stays within a few faults from run to run.
ANOMALY_RISE = 0.05

WATERMARKS = re.compile(r'^pager: paging to a .* watermarks (\d+)/(\d+) frames$', re.M)
RESULT = re.compile(r'^refbench: RESULT (.*)$', re.M)
VERDICT = re.compile(r'^refbench: ok: ', re.M)


class BenchError(Exception):
    pass


def build(builddir):
    """Configure and build like tools/run does (tools/lib.sh)."""
    subprocess.run(['bash', '-c', f'source "{ROOT}/tools/lib.sh" && ensure_build "{builddir}"'],
                   check=True, stdout=sys.stderr)


def build_reclaims(builddir):
    """The replacement policies of the build (pager/reclaim/meson.build writes them)."""
    with open(os.path.join(builddir, 'pager', 'reclaim', 'reclaims.txt')) as f:
        return [line.strip() for line in f if line.strip()]


def belady_length(pages):
    """BELADY_PERIODS whole periods of the belady string over pages."""
    return BELADY_PERIODS * BELADY_STRING_LEN * (pages // BELADY_NUMBERS)


def swap_bytes(pages):
    return max(SWAP_MIN_MIB, math.ceil(2 * pages * PAGE_BYTES / MIB)) * MIB


def boot(cfg, reclaim, pool, pattern, length):
    """One boot running refbench: its RESULT fields, F and the watermarks."""
    append = ' '.join([f'pager.policy={MEMORY_POLICY}', f'pager.reclaim={reclaim}',
                       f'pager.frames={pool}', 'refbench', pattern, str(cfg.pages), str(length),
                       str(SEED)])
    cmd = ['qemu-system-riscv64', '-machine', 'virt', '-bios', 'default', '-m', cfg.mem,
           '-smp', '1', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
           '-kernel', os.path.join(cfg.builddir, 'kernel', 'kine.elf'), '-append', append]
    with tempfile.TemporaryDirectory(prefix='kine-bench-paging-') as tmp:
        cmd += qemu_test.swap_args(tmp, swap_bytes(cfg.pages), None, False)
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b'').decode(errors='replace').replace('\r\n', '\n')
            raise BenchError(f'"{append}": no power-off within {RUN_TIMEOUT} s:\n'
                             f'{out[out.find("kernel:"):][-3000:]}')
    out = p.stdout.decode(errors='replace').replace('\r\n', '\n')
    res, marks = RESULT.search(out), WATERMARKS.search(out)
    if p.returncode != 0 or not res or not marks or not VERDICT.search(out):
        tail = out[out.find('kernel:'):][-3000:]
        raise BenchError(f'"{append}" failed (status {p.returncode}):\n{tail}')
    r = {}
    for word in res.group(1).split():
        key, _, value = word.partition('=')
        r[key] = int(value) if value.isdigit() else value
    r['low'], r['high'] = int(marks.group(1)), int(marks.group(2))
    r['frames'] = r['pool'] - r['in_use'] - r['high']
    return r


def find_pool(cfg, reclaim, frames, pool, pattern, length):
    """Boot at pool, then move it by what F missed until F == frames: the
    run at the pool that gave it."""
    for _ in range(CALIBRATION_TRIES):
        r = boot(cfg, reclaim, pool, pattern, length)
        if r['frames'] == frames:
            return r
        pool += frames - r['frames']
    raise BenchError(f'{reclaim}: no pool gives {frames} frames for the pattern '
                     f'in {CALIBRATION_TRIES} boots (last: pool {pool})')


def calibrate(cfg, reclaim):
    """{F: pool} for one policy, with empty strings; sizes in order, each
    starting from what the last one measured."""
    pools, overhead = {}, FIRST_GUESS_OVERHEAD
    for frames in sorted(cfg.sizes):
        r = find_pool(cfg, reclaim, frames, frames + overhead, cfg.patterns[0], 0)
        pools[frames] = r['pool']
        overhead = r['in_use'] + r['high']
    return pools


def measure(cfg, pattern, reclaim, frames, repeat, pool):
    """The real run; if in_use differs from the calibration's, the pool is
    corrected again (never seen: nothing before the replay depends on the
    pattern)."""
    r = find_pool(cfg, reclaim, frames, pool, pattern, cfg.length)
    r['reclaim'], r['target'], r['repeat'] = reclaim, frames, repeat
    return r


def refsim(cfg, pattern):
    """{F: {column: faults}} from tools/refsim for every size: the built-in
    policies simulated, and opt."""
    sizes = ','.join(str(f) for f in sorted(cfg.sizes))
    cmd = [os.path.join(cfg.builddir, 'tools', 'refsim', 'refsim'), pattern, str(cfg.pages),
           str(cfg.length), str(SEED), sizes, 'all']
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f'{" ".join(cmd)}: status {p.returncode}\n{p.stderr}')
    lines = p.stdout.split('\n')
    header = lines[0].split()[1:]
    table = {}
    for line in lines[1:]:
        if line.strip():
            words = line.split()
            table[int(words[0])] = dict(zip(header, (int(w) for w in words[1:])))
    return table


def points(runs):
    """{(pattern, policy, F): the median of its runs' faults and disk I/O
    (the lower median: a run's own figure), the least and most faults, and
    the pools}.  Runs differ: disk transfers end when the host ends them,
    which moves the pager's reclaim passes and samples (docs/paging.md)."""
    groups = {}
    for r in runs:
        groups.setdefault((r['pattern'], r['reclaim'], r['target']), []).append(r)
    return {k: {'faults': statistics.median_low(r['faults'] for r in g),
                'io': statistics.median_low(r['disk_reads'] + r['disk_writes'] for r in g),
                'least': min(r['faults'] for r in g), 'most': max(r['faults'] for r in g),
                'pools': {r['pool'] for r in g}}
            for k, g in groups.items()}


def print_table(cfg, runs, opt):
    by = points(runs)
    head = f"{'pattern':8} {'frames':>6} {'pool':>9}"
    head += ''.join(f' {p:>8}' for p in cfg.reclaims) + f" {'opt':>8}  "
    head += ''.join(f' {"io " + p:>9}' for p in cfg.reclaims)
    print(head)
    for pattern in cfg.patterns:
        for frames in sorted(cfg.sizes):
            row = [by[(pattern, p, frames)] for p in cfg.reclaims]
            pools = sorted(set().union(*(r['pools'] for r in row)))
            pool = str(pools[0]) if len(pools) == 1 else f'{pools[0]}-{pools[-1]}'
            line = f'{pattern:8} {frames:>6} {pool:>9}'
            line += ''.join(f" {r['faults']:>8}" for r in row)
            line += f" {opt[pattern][frames]['opt']:>8}  "
            line += ''.join(f" {r['io']:>9}" for r in row)
            print(line)


def anomalies(pts):
    """The points of a curve where it rises by more than ANOMALY_RISE."""
    return [(f2, v2) for (_, v1), (f2, v2) in zip(pts, pts[1:]) if v2 > v1 * (1 + ANOMALY_RISE)]


def plot(cfg, runs, opt, paths):
    """Faults against F, one panel per pattern: a curve per policy and OPT."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    cols = min(2, len(cfg.patterns))
    rows = math.ceil(len(cfg.patterns) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 4.2 * rows + 0.5), squeeze=False,
                             facecolor='white')
    sizes = sorted(cfg.sizes)
    by = points(runs)
    for ax, pattern in zip(axes.flat, cfg.patterns):
        rising = {}
        for reclaim in cfg.reclaims:
            pts = [(f, by[(pattern, reclaim, f)]['faults']) for f in sizes]
            # with --repeat, a bar from the least to the most faults of the runs
            spread = [[v - by[(pattern, reclaim, f)]['least'] for f, v in pts],
                      [by[(pattern, reclaim, f)]['most'] - v for f, v in pts]]
            ax.errorbar([f for f, _ in pts], [v for _, v in pts],
                        yerr=spread if cfg.repeat > 1 else None, marker='o', capsize=3,
                        label=reclaim, color=f'C{cfg.known.index(reclaim)}')   # as in every run
            for pt in anomalies(pts):
                rising.setdefault(pt[0], []).append((reclaim, pt[1]))
        for f, who in rising.items():
            top = max(v for _, v in who)
            ax.annotate(f'more frames, more faults\n(Belady): {", ".join(r for r, _ in who)}',
                        xy=(f, top), xytext=(-40, -50), textcoords='offset points', ha='right',
                        fontsize='small', arrowprops={'arrowstyle': '->'})
        ax.plot(sizes, [opt[pattern][f]['opt'] for f in sizes], 'k--', marker='s',
                label='OPT (tools/refsim)')
        ax.axvline(cfg.pages, color='grey', linestyle=':', label=f'{cfg.pages} pages')
        # the faults run from the pages touched to the references: a log
        # scale keeps both ends readable
        ax.set_yscale('log')
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f'{v:g}'))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_title(f'{pattern}: {cfg.pages} pages, {cfg.length} references')
        ax.set_xlabel('frames for the pattern (pool - in use - high watermark)')
        ax.set_ylabel('page faults (log scale)')
        ax.grid(True, which='both', alpha=0.3)
        handles = dict(zip(*reversed(ax.get_legend_handles_labels())))
        order = [l for l in cfg.reclaims if l in handles] + [l for l in handles if l not in cfg.reclaims]
        ax.legend([handles[l] for l in order], order, fontsize='small')
    for ax in list(axes.flat)[len(cfg.patterns):]:
        ax.set_visible(False)
    runs_note = f'; median of {cfg.repeat} runs, bars from least to most' if cfg.repeat > 1 else ''
    fig.suptitle(f'kine: page faults against memory, replacement policies and OPT\n'
                 f'(refbench, policy {MEMORY_POLICY}{runs_note})')
    fig.tight_layout()
    for p in paths:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        fig.savefig(p, facecolor='white')
    plt.close(fig)


def write_data(cfg, runs, opt, outdir):
    fields = ['pattern', 'reclaim', 'target', 'repeat', 'pool', 'in_use', 'low', 'high', 'frames',
              'faults', 'zero_fills', 'page_ins', 'cache_hits', 'disk_reads', 'disk_writes',
              'exec_faults', 'own_resident', 'others_resident', 'resident', 'swapped', 'sim',
              'opt']
    rows = []
    for r in runs:
        sim = opt[r['pattern']][r['target']]
        rows.append({k: r.get(k) for k in fields} | {'sim': sim.get(r['reclaim']),
                                                       'opt': sim['opt']})
    config = {'pages': cfg.pages, 'length': cfg.length, 'seed': SEED, 'policy': MEMORY_POLICY,
              'swap_bytes': swap_bytes(cfg.pages), 'sizes': sorted(cfg.sizes),
              'repeat': cfg.repeat}
    with open(os.path.join(outdir, 'bench-paging.json'), 'w') as f:
        json.dump({'config': config, 'runs': rows}, f, indent=1)
    with open(os.path.join(outdir, 'bench-paging.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def parse_args(argv):
    ap = argparse.ArgumentParser(prog='tools/bench paging', description=__doc__.split('\n\n', 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('-C', dest='builddir', default=os.path.join(ROOT, 'build'),
                    help='build directory (default: build/ in the repository)')
    ap.add_argument('--quick', action='store_true', help='100 pages, two sizes')
    ap.add_argument('--pages', type=int, help='pages the patterns span (default 500)')
    ap.add_argument('--length', type=int,
                    help='references per string (default: two periods of belady, 4.8 x pages)')
    ap.add_argument('--frames', help='sizes: frames for the pattern, a comma list '
                                     '(default: 0.1 ... 1.1 x pages)')
    ap.add_argument('--pattern', action='append', choices=PATTERNS,
                    help='a pattern to run (repeatable; default all)')
    ap.add_argument('--reclaim', action='append', help='a policy to run (repeatable; default all)')
    ap.add_argument('--mem', default='128M', help='guest RAM, as for QEMU -m (default 128M)')
    ap.add_argument('--repeat', type=int, default=1,
                    help='runs per point; the table and plot show the median (default 1)')
    ap.add_argument('-j', dest='jobs', type=int, default=1, help='boots at once (default 1)')
    ap.add_argument('--out', help='write the plot and data here instead of BUILDDIR '
                                  '(and not docs/img/paging.png)')
    ap.add_argument('--no-build', action='store_true', help='use BUILDDIR as it is')
    a = ap.parse_args(argv)
    # the docs' plot comes only from the configuration the docs describe
    a.docs_plot = not (a.quick or a.pages or a.length or a.frames or a.pattern or a.reclaim
                       or a.out or a.mem != ap.get_default('mem') or a.repeat != 1)
    if a.repeat < 1:
        ap.error('--repeat: at least 1')
    base = QUICK if a.quick else DEFAULT
    a.pages = a.pages or base['pages']
    if a.pages < BELADY_NUMBERS:
        ap.error(f'--pages: at least {BELADY_NUMBERS} (the belady pattern\'s numbers)')
    a.length = a.length if a.length is not None else belady_length(a.pages)
    if a.frames:
        try:
            a.sizes = sorted({int(x) for x in a.frames.split(',')})
        except ValueError:
            ap.error(f'--frames: not a comma list of frame counts: {a.frames}')
        if a.sizes[0] < 1:
            ap.error('--frames: counts are positive')
    else:
        a.sizes = sorted({max(1, round(f * a.pages)) for f in base['fractions']})
    a.patterns = a.pattern or list(PATTERNS)
    a.builddir = os.path.abspath(a.builddir)
    return a


def main(argv):
    cfg = parse_args(argv)
    if not cfg.no_build:
        build(cfg.builddir)
    known = cfg.known = build_reclaims(cfg.builddir)
    cfg.reclaims = cfg.reclaim or known
    for r in cfg.reclaims:
        if r not in known:
            sys.exit(f'tools/bench paging: no policy {r} in this build (known: {" ".join(known)})')
    outdir = os.path.abspath(cfg.out) if cfg.out else cfg.builddir
    os.makedirs(outdir, exist_ok=True)
    print(f'refbench PATTERN {cfg.pages} {cfg.length} {SEED} under pager.policy={MEMORY_POLICY}, '
          f'{swap_bytes(cfg.pages) // MIB} MiB disk; sizes {",".join(map(str, cfg.sizes))} '
          f'frames; {len(cfg.patterns) * len(cfg.reclaims) * len(cfg.sizes) * cfg.repeat} runs',
          file=sys.stderr)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, cfg.jobs)) as ex:
            cal = dict(zip(cfg.reclaims, ex.map(lambda r: calibrate(cfg, r), cfg.reclaims)))
            jobs = [(pat, rec, f, k) for pat in cfg.patterns for rec in cfg.reclaims
                    for f in cfg.sizes for k in range(cfg.repeat)]
            runs = list(ex.map(lambda j: measure(cfg, *j, cal[j[1]][j[2]]), jobs))
            opt = dict(zip(cfg.patterns, ex.map(lambda p: refsim(cfg, p), cfg.patterns)))
    except BenchError as e:
        print(f'tools/bench paging: {e}', file=sys.stderr)
        return 1
    print_table(cfg, runs, opt)
    write_data(cfg, runs, opt, outdir)
    paths = [os.path.join(outdir, 'bench-paging.png')]
    if cfg.docs_plot:
        paths.append(os.path.join(ROOT, 'docs', 'img', 'paging.png'))
    plot(cfg, runs, opt, paths)
    median = f' (the median of {cfg.repeat} runs)' if cfg.repeat > 1 else ''
    print(f"\nfaults{median} = zero fills + page-ins + taken back from the swap cache; io = pages "
          f"read + written.\nframes = pool - in use - high watermark: the pattern's, and OPT's "
          f"(tools/refsim).\nwritten: {', '.join(paths)}, "
          f"{os.path.join(outdir, 'bench-paging.json')}, .csv")
    return 0
