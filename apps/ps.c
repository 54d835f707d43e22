/* ps: every process the pager knows: pid, parent, state, name, memory
 * policy, resident pages and faults taken. */
#include <stdio.h>
#include <kinesys.h>

int main(void)
{
    struct kine_procinfo pi;
    printf("%5s %5s %-6s %-16s %-8s %8s %7s\n", "PID", "PPID", "STATE", "NAME", "POLICY",
           "RESIDENT", "FAULTS");
    for (int64_t pid = 0; kine_procinfo(pid, &pi) >= 0; pid = pi.pid + 1)
        printf("%5ld %5ld %-6s %-16s %-8s %8lu %7lu\n", (long)pi.pid, (long)pi.ppid,
               pi.state == KINE_PROC_LIVE ? "live" : "zombie", pi.name, pi.policy,
               (unsigned long)pi.resident, (unsigned long)pi.faults);
    return 0;
}
