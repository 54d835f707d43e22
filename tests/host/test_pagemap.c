/* Page map: set/get/clear, counts, replacement, flags, ordered iteration,
 * sparse addresses, and no leaks (LeakSanitizer) after destroy. */
#include <stdint.h>
#include "check.h"
#include "pagemap.h"
#include <kine/error.h>

struct walk { uint64_t last; int n, ordered; uint64_t sum; };

static int visit(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    struct walk *w = ctx;
    (void)flags;
    if (w->n && va <= w->last)
        w->ordered = 0;
    w->last = va;
    w->n++;
    w->sum += frame;
    return 0;
}

static int stop_at_two(uint64_t va, uint32_t frame, uint32_t flags, void *ctx)
{
    (void)va; (void)frame; (void)flags;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

int main(void)
{
    struct pagemap pm = { 0 };
    uint32_t f, fl;
    CHECK(pm_get(&pm, 0x10000, &f, NULL) == 0);
    CHECK(pm_set(&pm, 0x10000, 5, 0) == 0);
    CHECK(pm_get(&pm, 0x10000, &f, &fl) == 1 && f == 5 && fl == 0);
    CHECK(pm_get(&pm, 0x10fff, &f, NULL) == 1);          /* any address in the page */
    CHECK(pm_set(&pm, 0x10000, 0, PM_FLAG_COW) == 0);     /* replace; frame 0 is valid */
    CHECK(pm_get(&pm, 0x10000, &f, &fl) == 1 && f == 0 && fl == PM_FLAG_COW && pm.count == 1);

    CHECK(pm_set(&pm, 1ULL << 38, 1, 0) == -KINE_EINVAL);
    CHECK(pm_set(&pm, 0x20000, PM_FRAME_MAX + 1, 0) == -KINE_EINVAL);
    CHECK(pm_set(&pm, 0x20000, 1, 1) == -KINE_EINVAL);     /* unknown flag bits */

    /* sparse: far-apart addresses in different subtrees */
    uint64_t vas[] = { 0x7fffe000, 0x3fffff000, 0x1000, 0x40000000, 0x200000 };
    for (unsigned i = 0; i < 5; i++)
        CHECK(pm_set(&pm, vas[i], 100 + i, 0) == 0);
    CHECK(pm.count == 6);
    struct walk w = { 0, 0, 1, 0 };
    CHECK(pm_foreach(&pm, visit, &w) == 0);
    CHECK(w.n == 6 && w.ordered && w.sum == 0 + 100 + 101 + 102 + 103 + 104);
    int k = 0;
    CHECK(pm_foreach(&pm, stop_at_two, &k) == 7 && k == 2);

    CHECK(pm_clear(&pm, 0x3fffff000, &f) == 1 && f == 101);
    CHECK(pm_clear(&pm, 0x3fffff000, &f) == 0);
    CHECK(pm_get(&pm, 0x3fffff000, NULL, NULL) == 0 && pm.count == 5);
    CHECK(pm_clear(&pm, 1ULL << 40, NULL) == 0);

    /* a dense run, then clearing all of it frees its nodes */
    for (uint64_t va = 0x1000000; va < 0x1000000 + 2048 * 4096ULL; va += 4096)
        CHECK(pm_set(&pm, va, (uint32_t)(va >> 12), 0) == 0);
    CHECK(pm.count == 5 + 2048);
    for (uint64_t va = 0x1000000; va < 0x1000000 + 2048 * 4096ULL; va += 4096)
        pm_clear(&pm, va, NULL);
    CHECK(pm.count == 5);
    pm_destroy(&pm);
    CHECK(pm.count == 0 && pm_get(&pm, 0x10000, NULL, NULL) == 0);
    return check_done("pagemap");
}
