/* lazy: cow, and nothing is allocated before it is touched.  Spawn and
 * sbrk only reserve address space; a page of text or data is loaded from
 * the program file on its first touch, a page of heap or stack zero-filled,
 * so an sbrk far larger than memory succeeds and only touching too much of
 * it fails.  It counts those first touches itself (a named counter, printed
 * by memstat). */
#include "policy.h"

enum { FIRST_TOUCHES, NCOUNTERS };
static const char *const counter_names[NCOUNTERS + 1] = { "first_touches", NULL };

static int lazy_fault(struct policy_env *e, struct mm *mm, const struct region *r,
                      uint64_t va, uint64_t access)
{
    if (!pm_get(&mm->pm, va, NULL, NULL))
        e->counters[FIRST_TOUCHES]++;
    return mm_fault(e, mm, r, va, access);
}

const struct policy policy_lazy = {
    .name = "lazy",
    .counter_names = counter_names,
    .fork = mm_fork_share,
    .fault = lazy_fault,
    .mm_fault_resident = true,
    .mm_fault_absent = true,          /* lazy_fault: the count, then mm_fault */
    .absent_counter = POLICY_COUNTER(FIRST_TOUCHES),
    .grow = mm_reserve,
};
