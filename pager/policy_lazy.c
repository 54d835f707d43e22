/* lazy: cow, plus demand-zero heap and stack.  sbrk and spawn only reserve
 * address space; a page gets a zeroed frame on its first touch, so an sbrk
 * far larger than memory succeeds and only touching too much of it fails. */
#include "policy.h"

const struct policy policy_lazy = {
    .name = "lazy",
    .fork = mm_fork_share,
    .fault = mm_fault,
    .grow = mm_grow_reserve,
};
