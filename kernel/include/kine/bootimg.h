/* The boot image: the programs (pager first) that the kernel carries.  The
 * kernel maps it read-only into the pager; tools/mkbootimg.py builds it. */
#ifndef KINE_BOOTIMG_H
#define KINE_BOOTIMG_H

#include <stdint.h>

#define KINE_BOOTIMG_MAGIC   0x474d49454e494bULL  /* "KINEIMG" */
#define KINE_BOOTIMG_NAME    32

struct kine_bootimg_entry {
    char     name[KINE_BOOTIMG_NAME];   /* NUL-terminated program name */
    uint64_t offset;                    /* from the start of the image */
    uint64_t size;
};

struct kine_bootimg {
    uint64_t magic;
    uint64_t count;
    uint64_t total_size;
    uint64_t reserved;
    struct kine_bootimg_entry entry[];
};

#endif
