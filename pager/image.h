/* Programs in the boot image (the kernel maps it read-only into the pager). */
#ifndef PAGER_IMAGE_H
#define PAGER_IMAGE_H

#include <stdint.h>

/* 0 and the ELF bytes of program `name`, or -KINE_ENOENT. */
int image_find(const void *image, uint64_t image_size, const char *name,
               const void **elf, uint64_t *size);

#endif
