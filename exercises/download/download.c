/* download.c - your solution to the `download` exercise.
 *
 * Implement download_all as described in download.h and README.md.
 * Grade it with:   grader grade download .
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "download.h"

int download_all(struct download *items, size_t n, int timeout_ms)
{
    (void)timeout_ms;
    for (size_t i = 0; i < n; i++) {
        items[i].status = 0; /* TODO: connect, send, and read every item at once */
        items[i].body = NULL;
        items[i].body_len = 0;
    }
    return 0;
}
