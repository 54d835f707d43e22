/* procstat: checks the per-process counters of PGR_PROCINFO against what a
 * run really did, exactly.
 *   procstat [PAGES]          (default DEFAULT_PAGES)
 *   fill:   the parent writes PAGES fresh heap pages;
 *   child:  forked then, it writes each of them once;
 *   parent: once the child is done, it writes them again.
 * Each prints what its writes alone cost it (its counters after, less
 * before): under cow and lazy the child takes PAGES write faults, each a
 * COW copy, and shares PAGES pages fewer; the parent then takes PAGES COW
 * reuses (every page is held once again); under eager neither faults.
 * Under a policy with a first_touches counter of its own (lazy), each
 * also prints how far that moved: PAGES for the fill, 0 for the others.
 *   sum:    over every process, the counters add up to the pager's global
 *           ones (PGR_MEMSTATS) and resident pages to the ledger's
 *           mappings, read in a round during which the global counters did
 *           not move (so no process faulted, forked or filled a page).
 * The sum is exact only while no process has been reaped since boot, so it
 * checks that every pid from 1 to its child's is still there: run it as
 * init's only program (init procstat).  Exits 0 if the sum adds up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define DEFAULT_PAGES 64
#define MAX_PAGES 4096
#define QUIET_ROUNDS_MAX 8          /* rounds tried before giving up on a quiet one */
#define WORDS_PER_PAGE (KINE_PAGE_SIZE / sizeof(uint64_t))

/* Static, so that making them private (a write) is one fault before the
 * measured span, never inside it. */
static struct kine_procinfo before, after, info;
static struct kine_memstats global_before, global_after;
static struct kine_ledger ledger;
static struct kine_proc_counters sum;
static uint64_t npages;
static char policy_text[KINE_IPC_BUF_BYTES + 1];

/* Does text start with word, then stop (end of line, or a space)? */
static const char *after_word(const char *text, const char *word)
{
    while (*word && *text == *word)
        text++, word++;
    return !*word && (*text == '\n' || *text == ' ') ? text : NULL;
}

/* The counter `name` of the policy called `policy` (kine_policystats:
 * "policy\nname value\n..."), or -1 if it has none. */
static int64_t policy_counter(const char *policy, const char *name)
{
    for (unsigned i = 0; kine_policystats(i, policy_text, sizeof(policy_text)) >= 0; i++) {
        const char *line = after_word(policy_text, policy);
        while (line && (line = strchr(line, '\n')) && *++line) {
            const char *value = after_word(line, name);
            if (value)
                return (int64_t)strtoul(value, NULL, 10);
        }
    }
    return -1;
}

/* Write every page once, and print what that alone cost this process.
 * The first procinfo calls make the stack and both records private and
 * the code resident, so the span between the last two has only the page
 * writes in it. */
static void write_measured(const char *who, volatile uint64_t *pages, uint64_t value)
{
    int64_t me = getpid();
    memset(&before, 0, sizeof(before));
    memset(&after, 0, sizeof(after));
    kine_procinfo(me, &after);
    policy_counter(after.policy, "first_touches");
    int64_t touches = policy_counter(after.policy, "first_touches");
    kine_procinfo(me, &before);
    for (uint64_t i = 0; i < npages; i++)
        pages[i * WORDS_PER_PAGE] = value;
    kine_procinfo(me, &after);
    if (touches >= 0)
        printf("%s: %ld first touches counted by policy %s\n", who,
               (long)(policy_counter(after.policy, "first_touches") - touches), after.policy);
    const struct kine_proc_counters *a = &after.counters, *b = &before.counters;
    printf("%s: %lu pages written: %lu write faults, %lu COW copies, %lu COW reuses, "
           "%lu zero-filled, %ld fewer shared\n", who, (unsigned long)npages,
           (unsigned long)(a->faults_write - b->faults_write),
           (unsigned long)(a->faults_cow_copy - b->faults_cow_copy),
           (unsigned long)(a->faults_cow_reuse - b->faults_cow_reuse),
           (unsigned long)(a->pages_zero_filled - b->pages_zero_filled),
           (long)(before.shared - after.shared));
}

/* True if no global counter moved between the two reads. */
static int quiet(void)
{
#define SAME(f) && global_before.f == global_after.f
    return 1 KINE_PROC_COUNTER_FIELDS(SAME);
#undef SAME
}

/* One round: 1 if every counter adds up, 0 if one does not (printed), -1
 * if the round was not quiet or processes were reaped. */
static int sum_round(int64_t newest)
{
    uint64_t resident = 0, procs = 0;
    int64_t pid = 1;                 /* after the loop: the first pid missing */
    memset(&sum, 0, sizeof(sum));
    kine_memstats(&global_before);
    kine_ledger(&ledger);
    /* the driver tasks (pid 0), then pids 1, 2, ... as long as none is missing */
    for (int64_t r = kine_procinfo(0, &info); r >= 0 && (info.pid == 0 || info.pid == pid);
         r = kine_procinfo_next(&info)) {
        pid += info.pid != 0;
#define ADD(f) sum.f += info.counters.f;
        KINE_PROC_COUNTER_FIELDS(ADD)
#undef ADD
        resident += info.resident;
        procs++;
    }
    kine_memstats(&global_after);
    if (!quiet())
        return -1;
    if (pid <= newest) {
        printf("sum: pid %ld was reaped before the check; run it alone\n", (long)pid);
        return 0;
    }
    int good = 1;
#define CHECK_FIELD(f) \
    if (sum.f != global_before.f) { \
        printf("sum: MISMATCH " #f ": %lu over the processes, %lu in the pager\n", \
               (unsigned long)sum.f, (unsigned long)global_before.f); \
        good = 0; \
    }
    KINE_PROC_COUNTER_FIELDS(CHECK_FIELD)
#undef CHECK_FIELD
    if (resident != ledger.mappings) {
        printf("sum: MISMATCH %lu resident pages over the processes, %lu mappings in the ledger\n",
               (unsigned long)resident, (unsigned long)ledger.mappings);
        good = 0;
    }
    if (good)
        printf("sum over %lu processes: every counter adds up to the pager's; %lu resident = "
               "%lu mappings\n", (unsigned long)procs, (unsigned long)resident,
               (unsigned long)ledger.mappings);
    return good;
}

static int check_sums(int64_t newest)
{
    for (int round = 0; round < QUIET_ROUNDS_MAX; round++) {
        int r = sum_round(newest);
        if (r >= 0)
            return r;
    }
    printf("sum: no quiet round in %d\n", QUIET_ROUNDS_MAX);
    return 0;
}

int main(int argc, char **argv)
{
    int done[2], go[2];
    char c;
    npages = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_PAGES;
    if (npages == 0 || npages > MAX_PAGES) {
        printf("usage: procstat [PAGES], 1 to %d\n", MAX_PAGES);
        return 2;
    }
    uint64_t *pages = sbrk((intptr_t)(npages * KINE_PAGE_SIZE));
    if (pages == (void *)-1 || pipe(done) || pipe(go)) {
        printf("no memory or pipes\n");
        return 1;
    }
    write_measured("fill", pages, 1);
    pid_t pid = fork();
    if (pid < 0) {
        printf("fork() failed\n");
        return 1;
    }
    if (pid == 0) {
        write_measured("child", pages, 2);
        fflush(stdout);
        if (write(done[1], "d", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    int good = read(done[0], &c, 1) == 1;
    write_measured("parent", pages, 3);
    good &= check_sums(pid);         /* the child waits, alive, meanwhile */
    good &= write(go[1], "g", 1) == 1;
    int ws = 0;
    good &= waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    for (uint64_t i = 0; i < npages; i++)
        good &= pages[i * WORDS_PER_PAGE] == 3;
    if (good)
        printf("ALL PROCSTAT CHECKS PASSED\n");
    return good ? 0 : 1;
}
