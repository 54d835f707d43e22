/* The user-range check every mapping call goes through: ranges inside a
 * user window pass; anything unaligned, empty, outside, straddling a window
 * edge, or large enough that computing its end would wrap, fails. */
#include <stdint.h>
#include "check.h"
#include <kine/layout.h>

int main(void)
{
    const unsigned long P = KINE_PAGE_SIZE;
    CHECK(kine_user_range_ok(KINE_USER_BASE, 1));
    CHECK(kine_user_range_ok(KINE_USER_LIMIT - P, 1));
    CHECK(kine_user_range_ok(KINE_HIGH_BASE, 1));
    CHECK(kine_user_range_ok(KINE_HIGH_LIMIT - P, 1));
    CHECK(!kine_user_range_ok(KINE_USER_BASE - P, 1));               /* the NULL guard */
    CHECK(!kine_user_range_ok(KINE_USER_BASE + 1, 1));               /* unaligned */
    CHECK(!kine_user_range_ok(KINE_USER_BASE, 0));                   /* empty */
    CHECK(!kine_user_range_ok(KINE_USER_LIMIT - P, 2));              /* runs into the kernel */
    CHECK(!kine_user_range_ok(KINE_KERNEL_BASE, 1));
    CHECK(!kine_user_range_ok(KINE_HIGH_LIMIT, 1));
    /* the ends that used to wrap */
    CHECK(!kine_user_range_ok(0xfffffffffffff000UL, 1));
    CHECK(!kine_user_range_ok(0xffffffffffe00000UL, 0x200));
    CHECK(!kine_user_range_ok(KINE_USER_BASE, ~0UL));
    CHECK(!kine_user_range_ok(KINE_USER_BASE, (~0UL >> KINE_PAGE_SHIFT) + 1));
    CHECK(!kine_user_range_ok(KINE_HIGH_BASE, 1UL << 52));
    /* a stack pointer of 0: its page would be the one below 0 */
    CHECK(!kine_user_range_ok((0UL - 1) & ~(P - 1), 1));
    return check_done("layout");
}
