/* Boot image lookup.  The image was built by our own tool, but its table is
 * still checked against the mapped size before any entry is used. */
#include <string.h>
#include "image.h"
#include <kine/bootimg.h>
#include <kine/error.h>

int image_find(const void *image, uint64_t image_size, const char *name,
               const void **elf, uint64_t *size)
{
    const struct kine_bootimg *img = image;
    if (image_size < sizeof(*img) || img->magic != KINE_BOOTIMG_MAGIC ||
        img->count > (image_size - sizeof(*img)) / sizeof(img->entry[0]))
        return -KINE_ENOENT;
    for (uint64_t i = 0; i < img->count; i++) {
        const struct kine_bootimg_entry *e = &img->entry[i];
        if (strncmp(e->name, name, KINE_BOOTIMG_NAME) != 0 ||
            e->name[KINE_BOOTIMG_NAME - 1] != '\0')
            continue;
        if (e->offset > image_size || e->size > image_size - e->offset)
            return -KINE_ENOENT;
        *elf = (const uint8_t *)image + e->offset;
        *size = e->size;
        return 0;
    }
    return -KINE_ENOENT;
}
