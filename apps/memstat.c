/* memstat: the pager's memory-policy counters and frame ledger. */
#include <stdio.h>
#include <kinesys.h>

int main(void)
{
    struct kine_memstats s;
    struct kine_ledger l;
    if (kine_memstats(&s) < 0)
        return 1;
    int64_t bad = kine_ledger(&l);
    printf("policy %s\n", s.policy);
    printf("faults: %lu COW copy, %lu COW reuse, %lu zero fill, %lu killed\n",
           (unsigned long)s.faults_cow_copy, (unsigned long)s.faults_cow_reuse,
           (unsigned long)s.faults_zero_fill, (unsigned long)s.faults_killed);
    printf("fork: %lu forks, %lu pages shared, %lu pages copied; %lu pages copied in all\n",
           (unsigned long)s.forks, (unsigned long)s.pages_shared_at_fork,
           (unsigned long)s.pages_copied_at_fork, (unsigned long)s.pages_copied);
    printf("frames: %lu in use, peak %lu, %lu free of %lu, %lu shared, pager heap %lu\n",
           (unsigned long)s.frames_in_use, (unsigned long)s.frames_peak,
           (unsigned long)l.frames_free, (unsigned long)l.frames_total,
           (unsigned long)l.frames_shared, (unsigned long)l.pager_frames);
    printf("ledger: %lu mappings, refcount sum %lu, %lu processes: %s\n",
           (unsigned long)l.mappings, (unsigned long)l.refcount_sum,
           (unsigned long)l.processes, bad == 0 ? "consistent" : "INCONSISTENT");
    return bad == 0 ? 0 : 1;
}
