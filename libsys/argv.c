/* Packing and checking the argument vector of a PGR_SPAWN request.  Pure:
 * used by libsys (client), the pager (server) and the host tests. */
#include <string.h>
#include "kinesys.h"

int64_t kine_argv_pack(char *buf, size_t cap, int argc, const char *const argv[])
{
    size_t used = 0;
    if (argc < 1)
        return -KINE_EINVAL;
    if (argc > KINE_ARGV_MAX)
        return -KINE_E2BIG;              /* refused, never cut short */
    for (int i = 0; i < argc; i++) {
        if (!argv[i])
            return -KINE_EINVAL;
        size_t l = strlen(argv[i]) + 1;
        if (l > cap - used)
            return -KINE_ENAMETOOLONG;
        memcpy(buf + used, argv[i], l);
        used += l;
    }
    return (int64_t)used;
}

int64_t kine_argv_unpack(char *buf, size_t len, int argc, char *argv[], int max)
{
    if (argc < 1 || argc > max || argc > KINE_ARGV_MAX || len == 0 || buf[len - 1] != '\0')
        return -KINE_EINVAL;
    size_t pos = 0;
    for (int i = 0; i < argc; i++) {
        if (pos >= len)
            return -KINE_EINVAL;
        argv[i] = buf + pos;
        pos += strlen(buf + pos) + 1;
    }
    if (pos != len || argv[0][0] == '\0' || strlen(argv[0]) > KINE_NAME_MAX)
        return -KINE_EINVAL;
    return argc;
}
