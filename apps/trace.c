/* trace: run a program and print the pager's fault trace while it runs
 * (boot with pager.trace=N; tools/trace does it all and plots the result).
 *   trace PROGRAM [ARGS...]
 * One line per fault:  R seq pid access done va pc frames arrived answered
 * Then a check that the trace and the pager's counters agree exactly: every
 * fault the pager counted up to a moment is in the trace (or counted as
 * lost), and the copy-on-write answers match in number. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/status.h>

#define POLL_TICKS 1

struct tally { uint64_t records, last_seq, cow_copy, cow_reuse, upto, gaps; };

static void print_and_count(const struct kine_fault_record *r, struct tally *t)
{
    printf("R %lu %ld %u %u %lx %lx %ld %lu %lu\n", (unsigned long)r->seq, (long)r->pid,
           r->access, r->done, (unsigned long)r->va, (unsigned long)r->pc, (long)r->frames,
           (unsigned long)r->arrived, (unsigned long)r->answered);
    if (r->seq != t->last_seq + 1)
        t->gaps++;
    t->last_seq = r->seq;
    t->records++;
    if (r->seq <= t->upto) {
        t->cow_copy += r->done == KINE_DONE_COW_COPY;
        t->cow_reuse += r->done == KINE_DONE_COW_REUSE;
    }
}

/* Print every record the ring holds now; the records lost so far. */
static uint64_t drain(struct tally *t)
{
    static struct kine_fault_record batch[KINE_TRACE_BATCH];
    uint64_t lost = 0;
    int64_t n;
    while ((n = kine_trace_drain(batch, KINE_TRACE_BATCH, &lost)) > 0)
        for (int64_t i = 0; i < n; i++)
            print_and_count(&batch[i], t);
    return lost;
}

int main(int argc, char **argv)
{
    struct tally t = { .upto = UINT64_MAX };
    uint64_t lost;
    if (argc < 2) {
        printf("usage: trace PROGRAM [ARGS...]   (boot with pager.trace=N)\n");
        return 2;
    }
    if (kine_trace_drain(NULL, 0, &lost) == -KINE_ENOSYS) {
        printf("the fault trace is off: boot with pager.trace=N\n");
        return 2;
    }
    int64_t pid = kine_spawn(argc - 1, (const char *const *)argv + 1, NULL);
    if (pid < 0) {
        printf("cannot start %s: error %d\n", argv[1], (int)-pid);
        return KINE_EXIT_NOT_STARTED;
    }
    int ws = 0;
    while (waitpid((pid_t)pid, &ws, WNOHANG) == 0) {
        drain(&t);
        kine_sleep_ticks(POLL_TICKS);
    }
    /* The moment the check is made at: the counters now, then every record
     * up to them (faults after it, this program's own, may follow). */
    struct kine_memstats ms;
    kine_memstats(&ms);
    uint64_t counted = ms.faults_read + ms.faults_write + ms.faults_exec + ms.faults_other;
    t.upto = counted;
    lost = drain(&t);
    int complete = lost == 0 && t.gaps == 0 && t.last_seq >= counted;
    int match = complete ? t.cow_copy == ms.faults_cow_copy && t.cow_reuse == ms.faults_cow_reuse
                         : t.records + lost >= counted;
    printf("SUMMARY records=%lu lost=%lu counted=%lu cow_copy=%lu/%lu cow_reuse=%lu/%lu %s\n",
           (unsigned long)t.records, (unsigned long)lost, (unsigned long)counted,
           (unsigned long)t.cow_copy, (unsigned long)ms.faults_cow_copy,
           (unsigned long)t.cow_reuse, (unsigned long)ms.faults_cow_reuse,
           match ? (complete ? "trace matches memstat" : "records lost, counted") : "MISMATCH");
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : KINE_EXIT_SIGNALED + WTERMSIG(ws);
    return match ? code : 1;
}
