/* Message encoding: IPC tags, spawn argv packing (both directions, with
 * malformed input) and boot-image lookup. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "kinesys.h"
#include "image.h"
#include <kine/bootimg.h>

int main(void)
{
    /* tags */
    uint64_t t = kine_tag(PGR_SPAWN, 17);
    CHECK(kine_tag_label(t) == PGR_SPAWN && kine_tag_len(t) == 17 && !kine_tag_is_kernel(t));
    CHECK(kine_tag_len(kine_tag(1, KINE_IPC_BUF_WORDS)) == KINE_IPC_BUF_WORDS);
    CHECK(kine_tag_is_kernel(kine_tag(KINE_LABEL_FAULT, 0) | KINE_TAG_KERNEL));
    CHECK(kine_tag_label(kine_tag(KINE_LABEL_FAULT, 0) | KINE_TAG_KERNEL) == KINE_LABEL_FAULT);
    CHECK(KINE_MAP_BATCH == 256);

    /* argv round trip */
    char buf[256];
    const char *argv[] = { "hello", "a", "", "bee" };
    int64_t n = kine_argv_pack(buf, sizeof(buf), 4, argv);
    CHECK(n == 6 + 2 + 1 + 4);
    char *out[KINE_ARGV_MAX];
    CHECK(kine_argv_unpack(buf, (size_t)n, 4, out, KINE_ARGV_MAX) == 4);
    CHECK(strcmp(out[0], "hello") == 0 && strcmp(out[2], "") == 0 && strcmp(out[3], "bee") == 0);

    CHECK(kine_argv_pack(buf, 8, 4, argv) == -KINE_ENAMETOOLONG);
    CHECK(kine_argv_pack(buf, sizeof(buf), 0, argv) == -KINE_EINVAL);
    CHECK(kine_argv_pack(buf, sizeof(buf), KINE_ARGV_MAX + 1, argv) == -KINE_E2BIG);   /* refused, not cut */
    const char *nul[] = { "x", NULL };
    CHECK(kine_argv_pack(buf, sizeof(buf), 2, nul) == -KINE_EINVAL);

    CHECK(kine_argv_pack(buf, sizeof(buf), 4, argv) == n);   /* failed packs above scribbled */
    CHECK(kine_argv_unpack(buf, (size_t)n, 3, out, KINE_ARGV_MAX) == -KINE_EINVAL);  /* extra bytes */
    CHECK(kine_argv_unpack(buf, (size_t)n, 5, out, KINE_ARGV_MAX) == -KINE_EINVAL);  /* too few */
    CHECK(kine_argv_unpack(buf, (size_t)n - 1, 4, out, KINE_ARGV_MAX) == -KINE_EINVAL); /* no NUL */
    CHECK(kine_argv_unpack(buf, 0, 1, out, KINE_ARGV_MAX) == -KINE_EINVAL);
    CHECK(kine_argv_unpack(buf, (size_t)n, 4, out, 2) == -KINE_EINVAL);              /* too many */
    memcpy(buf, "\0x\0", 3);
    CHECK(kine_argv_unpack(buf, 3, 2, out, KINE_ARGV_MAX) == -KINE_EINVAL);          /* empty name */
    memset(buf, 'a', 40);
    buf[40] = 0;
    CHECK(kine_argv_unpack(buf, 41, 1, out, KINE_ARGV_MAX) == -KINE_EINVAL);         /* name too long */

    /* boot image lookup */
    static uint64_t raw[64];
    struct kine_bootimg *img = (struct kine_bootimg *)raw;
    img->magic = KINE_BOOTIMG_MAGIC;
    img->count = 2;
    strcpy(img->entry[0].name, "pager");
    img->entry[0].offset = 128;
    img->entry[0].size = 16;
    strcpy(img->entry[1].name, "hello");
    img->entry[1].offset = 144;
    img->entry[1].size = 32;
    const void *elf;
    uint64_t size;
    CHECK(image_find(raw, sizeof(raw), "hello", &elf, &size) == 0 &&
          elf == (uint8_t *)raw + 144 && size == 32);
    CHECK(image_find(raw, sizeof(raw), "nope", &elf, &size) == -KINE_ENOENT);
    img->entry[1].size = sizeof(raw);                 /* runs past the image */
    CHECK(image_find(raw, sizeof(raw), "hello", &elf, &size) == -KINE_ENOENT);
    img->count = 1000;                                /* table past the image */
    CHECK(image_find(raw, sizeof(raw), "pager", &elf, &size) == -KINE_ENOENT);
    img->count = 2;
    img->magic = 0;
    CHECK(image_find(raw, sizeof(raw), "pager", &elf, &size) == -KINE_ENOENT);
    return check_done("msg");
}
