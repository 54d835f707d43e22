/* cow: fork shares every page; writable ones become read-only copy-on-write
 * in parent and child.  The first write copies the page, or, if nobody else
 * holds it any more, just makes it writable again (mm_fault).  A program
 * is loaded, and its heap and stack allocated, when they are created. */
#include "policy.h"

const struct policy policy_cow = {
    .name = "cow",
    .fork = mm_fork_share,
    .fault = mm_fault,
    .mm_fault_resident = true,
    .mm_fault_absent = true,
    .grow = mm_populate,
};
