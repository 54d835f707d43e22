/* Building replies.  Every reply the pager sends is made here, so that none
 * carries bytes it did not mean to: a reply's words in the IPC buffer are
 * exactly the data given, the last word padded with zeros (the buffer may
 * still hold someone else's request), and a deferred answer is sent at
 * once with KSYS_REPLY. */
#include <string.h>
#include "pager.h"

bool reply_status(struct kine_msg *m, int64_t r)
{
    *m = (struct kine_msg){ .mr = { (uint64_t)r } };   /* stores, not a memset call */
    return true;
}

bool reply_data(struct kine_msg *m, int64_t r, const void *data, size_t n)
{
    size_t words = kine_words(n);
    uint64_t *buf = kine_ipcbuf();
    if (words)
        buf[words - 1] = 0;
    memcpy(buf, data, n);
    reply_status(m, r);
    m->tag = kine_tag(0, words);
    return true;
}

void reply_later(kine_tid_t to, struct kine_msg *m)
{
    kine_reply(to, m);      /* fails only if `to` is gone: nothing to do */
}
