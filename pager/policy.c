/* The table of built-in policies, made from the list in
 * pager/policies/meson.build (KINE_POLICY_LIST in policy_list.h), lookup by
 * name, and each policy's environment: its private state and its named
 * counters, made once at boot and shared by every process that runs under
 * it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "policy_list.h"

#define X(name) extern const struct policy policy_##name;
KINE_POLICY_LIST
#undef X

#define X(name) &policy_##name,
const struct policy *const policies[] = { KINE_POLICY_LIST NULL };
#undef X

#define NPOLICIES (sizeof(policies) / sizeof(policies[0]) - 1)

static struct policy_env envs[NPOLICIES];

const struct policy *policy_find(const char *name)
{
    for (unsigned i = 0; policies[i]; i++)
        if (strcmp(policies[i]->name, name) == 0)
            return policies[i];
    return NULL;
}

static unsigned ncounters(const struct policy *pol)
{
    unsigned n = 0;
    while (pol->counter_names && pol->counter_names[n])
        n++;
    return n;
}

void policy_shrink(const struct policy *pol, struct policy_env *e, struct mm *mm,
                   const struct region *r, uint64_t old_end)
{
    (pol->shrink ? pol->shrink : mm_shrink)(e, mm, r, old_end);
}

void policy_release(const struct policy *pol, struct policy_env *e, struct mm *mm)
{
    (pol->release ? pol->release : mm_release)(e, mm);
}

int policies_init(const struct pager_ops *o, struct kine_memstats *stats)
{
    for (unsigned i = 0; i < NPOLICIES; i++) {
        envs[i].o = o;
        envs[i].stats = stats;
        envs[i].counters = calloc(ncounters(policies[i]) + 1, sizeof(uint64_t));
        envs[i].state = calloc(1, policies[i]->state_size + 1);
        if (!envs[i].counters || !envs[i].state)
            return -1;
        if (policies[i]->absent_counter)
            envs[i].absent_count = &envs[i].counters[policies[i]->absent_counter - 1];
    }
    return 0;
}

struct policy_env *policy_env(const struct policy *pol)
{
    for (unsigned i = 0; i < NPOLICIES; i++)
        if (policies[i] == pol)
            return &envs[i];
    return NULL;
}

int64_t policy_report(unsigned i, char *buf, size_t cap)
{
    if (i >= NPOLICIES)
        return -1;
    const struct policy *pol = policies[i];
    size_t n = (size_t)snprintf(buf, cap, "%s\n", pol->name);
    for (unsigned c = 0; c < ncounters(pol) && n < cap; c++)
        n += (size_t)snprintf(buf + n, cap - n, "%s %lu\n", pol->counter_names[c],
                              (unsigned long)envs[i].counters[c]);
    return (int64_t)(n < cap ? n : cap - 1);
}
