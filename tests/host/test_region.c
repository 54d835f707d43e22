/* Region maps: sorted insertion, overlap refusal, lookup at the edges,
 * growing and shrinking a region against its neighbour and a limit, and
 * the fault path's hint, which must never outlive a change of the map. */
#include "check.h"
#include "region.h"
#include <kine/error.h>
#include <kine/ipc.h>

int main(void)
{
    struct region_map m = { 0 };
    const unsigned RX = KINE_RIGHT_R | KINE_RIGHT_X, RW = KINE_RIGHT_R | KINE_RIGHT_W;
    CHECK(region_add(&m, 0x20000, 0x30000, RW, REGION_DATA, NULL) == 0);
    CHECK(region_add(&m, 0x10000, 0x20000, RX, REGION_TEXT, NULL) == 0);
    CHECK(region_add(&m, 0x7ff00000, 0x7fff0000, RW, REGION_STACK, NULL) == 0);
    CHECK(region_add(&m, 0x30000, 0x30000, RW, REGION_HEAP, NULL) == 0);   /* empty heap */
    CHECK(m.n == 4 && m.r[0].kind == REGION_TEXT && m.r[1].kind == REGION_DATA);

    CHECK(region_add(&m, 0x1f000, 0x21000, RW, REGION_DATA, NULL) == -KINE_EINVAL);   /* overlaps */
    CHECK(region_add(&m, 0x10000, 0x11000, RW, REGION_DATA, NULL) == -KINE_EINVAL);
    CHECK(region_add(&m, 0x40001, 0x50000, RW, REGION_DATA, NULL) == -KINE_EINVAL);   /* unaligned */
    CHECK(region_add(&m, 0x50000, 0x40000, RW, REGION_DATA, NULL) == -KINE_EINVAL);   /* inverted */

    CHECK(region_find(&m, 0x10000)->kind == REGION_TEXT);
    CHECK(region_find(&m, 0x1ffff)->kind == REGION_TEXT);
    CHECK(region_find(&m, 0x20000)->kind == REGION_DATA);
    CHECK(region_find(&m, 0x30000) == NULL);          /* empty heap holds nothing */
    CHECK(region_find(&m, 0xffff) == NULL);
    CHECK(region_find(&m, 0x7fff0000) == NULL);

    struct region *h = region_of_kind(&m, REGION_HEAP);
    CHECK(h && h->start == 0x30000);
    CHECK(region_set_end(&m, h, 0x100000, 0x7fe00000) == 0);
    CHECK(region_find(&m, 0xfffff) == h);
    CHECK(region_set_end(&m, h, 0x7ff01000, 0x7ff80000) == -KINE_ENOMEM);   /* hits the stack */
    CHECK(region_set_end(&m, h, 0x7fe01000, 0x7fe00000) == -KINE_ENOMEM);   /* past the limit */
    CHECK(region_set_end(&m, h, 0x20000, 0x7fe00000) == -KINE_EINVAL);      /* before start */
    CHECK(region_set_end(&m, h, 0x30001, 0x7fe00000) == -KINE_EINVAL);
    CHECK(h->end == 0x100000);                                              /* unchanged */

    /* the hint: the region's bounds, rights and file pages, until the map
     * changes; region_hint_of finds it without a search, region_hint_make
     * makes it by one */
    m.r[1].file_va = 0x20010;                                     /* data: file bytes in */
    m.r[1].file_len = 0x1000;                                     /* pages 0x20000, 0x21000 */
    CHECK(region_hint_of(&m, 0x20010) == NULL);
    const struct region_hint *hint = region_hint_make(&m, 0x20010);
    CHECK(hint && hint->start == 0x20000 && hint->end == 0x30000 && hint->rights == RW &&
          hint->file_start == 0x20000 && hint->file_end == 0x22000);
    CHECK(region_hint_of(&m, 0x2ffff) == hint && region_hint_of(&m, 0xffff) == NULL);
    CHECK(region_hint_make(&m, 0xffff) == NULL && region_hint_of(&m, 0x20000) == hint);
    CHECK(region_hint_make(&m, 0x10000) && m.hint.start == 0x10000 && m.hint.rights == RX);
    CHECK(m.hint.file_start == m.hint.file_end);                  /* no file bytes set for it */
    CHECK(region_hint_of(&m, 0x20000) == NULL);
    CHECK(region_hint_make(&m, 0xfffff) && m.hint.start == h->start && m.hint.end == 0x100000);
    CHECK(region_set_end(&m, h, 0x80000, 0x7fe00000) == 0);          /* the heap shrinks */
    CHECK(m.hint.start == m.hint.end && region_hint_of(&m, 0x30000) == NULL);
    CHECK(region_hint_make(&m, 0xfffff) == NULL);
    CHECK(region_hint_make(&m, 0x7ff00000) && m.hint.start == 0x7ff00000 && m.hint.rights == RW);
    struct region_map copy = m;                                       /* a fork's copy */
    CHECK(region_hint_of(&copy, 0x7ff00000) == &copy.hint && copy.hint.end == m.hint.end);
    CHECK(region_add(&m, 0x40000000, 0x40001000, RW, REGION_DATA, NULL) == 0);
    CHECK(m.hint.start == m.hint.end && region_hint_of(&m, 0x7ff00000) == NULL);
    CHECK(region_hint_make(&m, 0x7ff00000) && m.hint.start == 0x7ff00000);
    CHECK(region_set_end(&m, h, 0x100000, 0x7fe00000) == 0);

    for (unsigned i = m.n; i < MAX_REGIONS; i++)
        CHECK(region_add(&m, 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x1000, RW,
                         REGION_DATA, NULL) == 0);
    CHECK(region_add(&m, 0x6000000, 0x6001000, RW, REGION_DATA, NULL) == -KINE_ENOMEM);
    struct region *r = NULL;
    struct region_map m2 = { 0 };
    CHECK(region_add(&m2, 0x10000, 0x12000, RX, REGION_TEXT, &r) == 0);
    CHECK(r == &m2.r[0] && r->file == NULL && r->file_len == 0);     /* no backing yet */
    return check_done("region");
}
