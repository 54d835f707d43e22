/* Frame table: allocation order, exhaustion, reference counting, double
 * free and saturation; cutting the table short (pager.frames=). */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "frame.h"
#include <kine/error.h>

int main(void)
{
    struct frame_table ft;
    enum { N = 64 };
    void *mem = malloc(frames_storage_size(N));
    frames_init(&ft, N, mem);
    CHECK(ft.nfree == N);

    CHECK(frame_alloc(&ft) == 0);
    CHECK(frame_alloc(&ft) == 1);
    CHECK(frame_refcount(&ft, 0) == 1 && frame_refcount(&ft, 2) == 0);
    for (int i = 2; i < N; i++)
        CHECK(frame_alloc(&ft) == i);
    CHECK(frame_alloc(&ft) == -KINE_ENOMEM);
    CHECK(ft.nfree == 0);

    /* share frame 5 three ways, then release one at a time */
    CHECK(frame_ref(&ft, 5) == 0 && frame_ref(&ft, 5) == 0);
    CHECK(frame_refcount(&ft, 5) == 3);
    CHECK(frame_unref(&ft, 5) == 0 && frame_unref(&ft, 5) == 0);
    CHECK(frame_unref(&ft, 5) == 1);               /* last one frees it */
    CHECK(ft.nfree == 1);
    CHECK(frame_unref(&ft, 5) == -KINE_EINVAL);     /* double free refused */
    CHECK(ft.nfree == 1);
    CHECK(frame_ref(&ft, 5) == -KINE_EINVAL);       /* cannot share a free frame */
    CHECK(frame_alloc(&ft) == 5);                   /* freed frame is reused */

    CHECK(frame_ref(&ft, N) == -KINE_EINVAL && frame_unref(&ft, N + 7) == -KINE_EINVAL);
    CHECK(frame_refcount(&ft, 1000) == 0);

    /* saturation: the count never wraps */
    int sat = 0;
    for (unsigned i = 0; i < FRAME_REF_MAX + 5u; i++)
        if (frame_ref(&ft, 9) == -KINE_ERANGE)
            sat++;
    CHECK(sat == 6 && frame_refcount(&ft, 9) == FRAME_REF_MAX);

    /* everything back: free count returns to N */
    while (frame_refcount(&ft, 9) > 0)
        frame_unref(&ft, 9);
    for (uint32_t f = 0; f < N; f++)
        if (f != 9)
            CHECK(frame_unref(&ft, f) == 1);
    CHECK(ft.nfree == N);

    /* a cap keeps the frames below it, in their order, and refuses to cut
     * away a frame in use */
    frames_init(&ft, N, mem);
    CHECK(frames_cap(&ft, N + 1) == -KINE_EINVAL);
    for (int i = 0; i < 41; i++)
        CHECK(frame_alloc(&ft) == i);
    CHECK(frames_cap(&ft, 8) == -KINE_EBUSY && ft.nframes == N && ft.nfree == N - 41);
    for (uint32_t f = 2; f <= 40; f++)
        frame_unref(&ft, f);
    CHECK(frames_cap(&ft, 8) == 0 && ft.nframes == 8 && ft.nfree == 6);
    int low = 0;
    for (int i = 2; i < 8; i++) {
        int64_t f = frame_alloc(&ft);
        low += f >= 2 && f < 8;
    }
    CHECK(low == 6 && frame_alloc(&ft) == -KINE_ENOMEM && frame_ref(&ft, 9) == -KINE_EINVAL);
    free(mem);
    return check_done("frame");
}
