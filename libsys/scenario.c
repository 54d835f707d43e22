/* Helpers for test programs: counted checks, frames held by processes,
 * and running scenarios with a ledger check and a page-table check after
 * each. */
#include <stdio.h>
#include <unistd.h>
#include "kinesys.h"

void kine_expect(struct kine_tally *t, const char *what, int64_t got, int64_t want)
{
    if (got == want) {
        t->passed++;
        return;
    }
    t->failed++;
    printf("FAIL: %s: got %ld, want %ld\n", what, (long)got, (long)want);
}

uint64_t kine_process_frames(int *consistent)
{
    struct kine_ledger l;
    int64_t r = kine_ledger(&l);
    if (consistent)
        *consistent = r == 0;
    return r < 0 ? 0 : kine_ledger_process_frames(&l);
}

/* Frames held by every process but the caller: what a scenario's children
 * must give back.  The caller's own may grow meanwhile (a policy that loads
 * text or fills the stack on first touch, or pages it out), and that is no
 * leak; the pager counts them in the same answer as the rest. */
uint64_t kine_ledger_others_frames(const struct kine_ledger *l)
{
    return kine_ledger_process_frames(l) - l->caller_frames;
}

uint64_t kine_others_frames(int *consistent)
{
    struct kine_ledger l;
    int64_t r = kine_ledger(&l);
    if (consistent)
        *consistent = r == 0;
    return r < 0 ? 0 : kine_ledger_others_frames(&l);
}

int kine_run_scenarios(const struct kine_scenario *list, int n)
{
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int sound;
        uint64_t before = kine_others_frames(&sound);
        int ok = list[i].run();
        uint64_t after = kine_others_frames(&sound);
        int64_t pte_bad = kine_pte_check(NULL, NULL);
        if (pte_bad) {
            printf("%s: PAGE TABLES: %ld disagreements with the pager's books\n", list[i].name,
                   (long)pte_bad);
            ok = 0;
        }
        if (after != before || !sound) {
            printf("%s: LEDGER: %lu frames held by others before, %lu after%s\n", list[i].name,
                   (unsigned long)before, (unsigned long)after, sound ? "" : ", inconsistent");
            ok = 0;
        }
        printf("%s: %s\n", list[i].name, ok ? "ok" : "FAILED");
        failed += !ok;
    }
    return failed;
}
