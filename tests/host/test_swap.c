/* Swap-slot table: allocation order, running out (ENOSPC), reference
 * counting as a shared page's slot sees it, the cache's frame link going
 * with the last reference, double free and saturation. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "swap.h"
#include <kine/error.h>

int main(void)
{
    struct swap_table st;
    enum { N = 16 };
    void *mem = malloc(swap_storage_size(N));
    swap_init(&st, N, mem);
    CHECK(st.nfree == N && st.nslots == N);
    for (int i = 0; i < N; i++)
        CHECK(swap_alloc(&st) == i);
    CHECK(swap_alloc(&st) == -KINE_ENOSPC && st.nfree == 0);

    /* a page shared by three processes went out: three entries and the
     * frame caching it hold slot 4 */
    CHECK(swap_ref(&st, 4) == 0 && swap_ref(&st, 4) == 0 && swap_refcount(&st, 4) == 3);
    st.frame[4] = 7 + 1;
    CHECK(swap_unref(&st, 4) == 0 && swap_unref(&st, 4) == 0);
    CHECK(st.frame[4] == 7 + 1);                  /* still cached */
    CHECK(swap_unref(&st, 4) == 1 && st.frame[4] == SLOT_NO_FRAME && st.nfree == 1);
    CHECK(swap_unref(&st, 4) == -KINE_EINVAL && swap_ref(&st, 4) == -KINE_EINVAL);
    CHECK(swap_alloc(&st) == 4);                  /* the freed slot comes back first */
    CHECK(swap_ref(&st, N) == -KINE_EINVAL && swap_unref(&st, N + 3) == -KINE_EINVAL);
    CHECK(swap_refcount(&st, N + 100) == 0);

    int sat = 0;
    for (unsigned i = 0; i < SLOT_REF_MAX + 3u; i++)
        sat += swap_ref(&st, 2) == -KINE_ERANGE;
    CHECK(sat == 4 && swap_refcount(&st, 2) == SLOT_REF_MAX);
    while (swap_refcount(&st, 2) > 1)
        swap_unref(&st, 2);
    for (uint32_t s = 0; s < N; s++)
        CHECK(swap_unref(&st, s) == 1);
    CHECK(st.nfree == N);
    free(mem);
    return check_done("swap");
}
