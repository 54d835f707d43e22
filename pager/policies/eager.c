/* eager: the classic behaviour.  fork copies every resident page at once;
 * a program is loaded, and its heap and stack allocated, when they are
 * created; nothing is ever shared copy-on-write, so the only faults are
 * remaps of resident pages. */
#include "policy.h"

const struct policy policy_eager = {
    .name = "eager",
    .fork = mm_fork_copy,
    .fault = mm_fault,
    .mm_fault_resident = true,
    .mm_fault_absent = true,
    .grow = mm_populate,
};
