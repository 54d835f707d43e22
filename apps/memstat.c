/* memstat: the pager's counters (the disk's transfers among them), paging
 * to disk, each policy's own named counters, every process with its policy
 * and its own counters, and the frame and swap ledger. */
#include <stdio.h>
#include <string.h>
#include <kinesys.h>

/* Each policy's own counters, as "policy NAME: counter value, ..." */
static void print_policies(void)
{
    char text[KINE_IPC_BUF_BYTES + 1];
    for (unsigned i = 0; kine_policystats(i, text, sizeof(text)) >= 0; i++) {
        char *line = strtok(text, "\n");
        printf("policy %s:", line ? line : "?");
        int any = 0;
        while ((line = strtok(NULL, "\n")))
            printf("%s %s", any++ ? "," : "", line);
        printf("%s\n", any ? "" : " no counters of its own");
    }
}

/* One line per process: its pages (resident, shared, swapped out, page-map
 * frames), faults by access, how they were answered, and what its fork
 * gave it. */
static void print_processes(void)
{
    struct kine_procinfo pi;
    printf("%5s %5s %-6s %-16s %-8s %8s %6s %4s %4s %6s %6s %4s %4s %6s %6s %6s %6s %6s %6s\n",
           "pid", "ppid", "state", "name", "policy", "resident", "shared", "swap", "map",
           "read", "write", "exec", "othr", "cowcp", "reuse", "zero", "loaded", "forkcp",
           "forksh");
    for (int64_t pid = 1; kine_procinfo(pid, &pi) >= 0; pid = pi.pid + 1) {
        const struct kine_proc_counters *c = &pi.counters;
        printf("%5ld %5ld %-6s %-16s %-8s %8lu %6lu %4lu %4lu %6lu %6lu %4lu %4lu %6lu %6lu %6lu "
               "%6lu %6lu %6lu\n", (long)pi.pid, (long)pi.ppid,
               pi.state == KINE_PROC_LIVE ? "live" : "zombie", pi.name, pi.policy,
               (unsigned long)pi.resident, (unsigned long)pi.shared, (unsigned long)pi.swapped,
               (unsigned long)pi.map_frames, (unsigned long)c->faults_read,
               (unsigned long)c->faults_write, (unsigned long)c->faults_exec,
               (unsigned long)c->faults_other, (unsigned long)c->faults_cow_copy,
               (unsigned long)c->faults_cow_reuse, (unsigned long)c->pages_zero_filled,
               (unsigned long)c->pages_loaded, (unsigned long)c->pages_copied_at_fork,
               (unsigned long)c->pages_shared_at_fork);
    }
}

int main(void)
{
    struct kine_memstats s;
    struct kine_ledger l;
    if (kine_memstats(&s) < 0)
        return 1;
    int64_t bad = kine_ledger(&l);
    printf("default policy %s\n", s.policy);
    printf("faults received: %lu read, %lu write, %lu exec, %lu other\n",
           (unsigned long)s.faults_read, (unsigned long)s.faults_write,
           (unsigned long)s.faults_exec, (unsigned long)s.faults_other);
    printf("answers: %lu COW copies, %lu COW reuses; pages: %lu zero-filled, %lu loaded; "
           "%lu processes killed\n",
           (unsigned long)s.faults_cow_copy, (unsigned long)s.faults_cow_reuse,
           (unsigned long)s.pages_zero_filled, (unsigned long)s.pages_loaded,
           (unsigned long)s.procs_killed);
    printf("fork: %lu forks, %lu pages shared, %lu pages copied; %lu pages copied in all\n",
           (unsigned long)s.forks, (unsigned long)s.pages_shared_at_fork,
           (unsigned long)s.pages_copied_at_fork, (unsigned long)s.pages_copied);
    printf("frames: %lu in use, peak %lu, %lu free of %lu, %lu shared, pager heap %lu\n",
           (unsigned long)s.frames_in_use, (unsigned long)s.frames_peak,
           (unsigned long)l.frames_free, (unsigned long)l.frames_total,
           (unsigned long)l.frames_shared, (unsigned long)l.pager_frames);
    printf("disk: %lu pages read in %lu transfers, %lu written in %lu, %lu transfers failed\n",
           (unsigned long)s.disk_reads, (unsigned long)s.disk_read_requests,
           (unsigned long)s.disk_writes, (unsigned long)s.disk_write_requests,
           (unsigned long)s.disk_errors);
    printf("ledger: %lu mappings, refcount sum %lu, %lu processes: %s\n",
           (unsigned long)l.mappings, (unsigned long)l.refcount_sum,
           (unsigned long)l.processes, bad == 0 ? "consistent" : "INCONSISTENT");
    if (s.swap_slots) {
        printf("paging (reclaim %s): %lu pages out, %lu in; %lu clean drops, %lu taken back "
               "before the disk\n", s.reclaim,
               (unsigned long)s.pages_out, (unsigned long)s.pages_paged_in,
               (unsigned long)s.clean_drops, (unsigned long)s.pages_reclaimed_from_cache);
        printf("swap: %lu of %lu slots used, %lu paged-out entries, %lu slots cached in frames, "
               "%lu frames in transfer\n", (unsigned long)l.swap_slots_used,
               (unsigned long)l.swap_slots, (unsigned long)l.swapped,
               (unsigned long)l.swap_cached, (unsigned long)l.frames_in_transfer);
    } else {
        printf("paging: off (no swap disk; reclaim %s)\n", s.reclaim);
    }
    print_policies();
    print_processes();
    return bad == 0 ? 0 : 1;
}
