/* ps: every process the pager knows: pid, parent, state, name, memory
 * policy, resident pages, those shared with another process, faults taken
 * and copy-on-write faults (copied or reused).  memstat has the rest. */
#include <stdio.h>
#include <kinesys.h>

int main(void)
{
    struct kine_procinfo pi;
    printf("%5s %5s %-6s %-16s %-8s %8s %6s %7s %7s\n", "PID", "PPID", "STATE", "NAME", "POLICY",
           "RESIDENT", "SHARED", "FAULTS", "COW");
    for (int64_t r = kine_procinfo(0, &pi); r >= 0; r = kine_procinfo_next(&pi)) {
        const struct kine_proc_counters *c = &pi.counters;
        printf("%5ld %5ld %-6s %-16s %-8s %8lu %6lu %7lu %7lu\n", (long)pi.pid, (long)pi.ppid,
               pi.state == KINE_PROC_LIVE ? "live" : "zombie", pi.name, pi.policy,
               (unsigned long)pi.resident, (unsigned long)pi.shared,
               (unsigned long)kine_proc_faults(c),
               (unsigned long)(c->faults_cow_copy + c->faults_cow_reuse));
    }
    return 0;
}
