/* The table of built-in policies, made from the list in pager/meson.build
 * (KINE_POLICY_LIST in policy_list.h), and lookup by name. */
#include <string.h>
#include "policy.h"
#include "policy_list.h"

#define X(name) extern const struct policy policy_##name;
KINE_POLICY_LIST
#undef X

#define X(name) &policy_##name,
const struct policy *const policies[] = { KINE_POLICY_LIST NULL };
#undef X

const struct policy *policy_find(const char *name)
{
    for (int i = 0; policies[i]; i++)
        if (strcmp(policies[i]->name, name) == 0)
            return policies[i];
    return NULL;
}
