/* The table of built-in replacement policies, made from the list in
 * pager/reclaim/meson.build (KINE_RECLAIM_LIST in reclaim_list.h), and
 * lookup by name. */
#include <string.h>
#include "reclaim.h"
#include "reclaim_list.h"

#define X(name) extern const struct reclaim reclaim_##name;
KINE_RECLAIM_LIST
#undef X

#define X(name) &reclaim_##name,
const struct reclaim *const reclaims[] = { KINE_RECLAIM_LIST NULL };
#undef X

const struct reclaim *reclaim_find(const char *name)
{
    for (unsigned i = 0; reclaims[i]; i++)
        if (strcmp(reclaims[i]->name, name) == 0)
            return reclaims[i];
    return NULL;
}
