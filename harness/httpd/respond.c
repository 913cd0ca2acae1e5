/* respond.c - the bytes of a response: status line, headers, and a body
 * framed by Content-Length, by chunks or by the end of the connection. */
#include "conn.h"
#include "content.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The reason phrase of a status line. */
static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 301:
        return "Moved Permanently";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* Appends "Name: value\r\n" to c's pending text, the name lowered if asked. */
static void header_add(conn *c, const char *name, const char *value)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s: %s\r\n", name, value);
    if (n < 0 || (size_t)n >= sizeof line || c->pend_len + (size_t)n > sizeof c->pend)
        return;
    for (int i = 0; c->o.lower && line[i] != ':'; i++)
        line[i] = (char)tolower((unsigned char)line[i]);
    memcpy(c->pend + c->pend_len, line, (size_t)n);
    c->pend_len += (size_t)n;
}

void respond_begin(conn *c)
{
    c->phase = P_HEAD;
    c->body_off = c->chunk_left = c->chunk_index = 0;
    c->seed = content_seed(c->path);
    c->out_len = c->out_off = 0;
    int n = snprintf(c->pend, sizeof c->pend, "HTTP/1.1 %d %s\r\n", c->o.status,
                     reason(c->o.status));
    c->pend_len = (size_t)n, c->pend_off = 0;
    char num[32];
    header_add(c, "Server", "grader-httpd");
    header_add(c, "Content-Type", "application/octet-stream");
    if (c->o.framing == FRAME_LENGTH) {
        snprintf(num, sizeof num, "%ld", c->o.size);
        header_add(c, "Content-Length", num);
    } else if (c->o.framing == FRAME_CHUNKED) {
        header_add(c, "Transfer-Encoding", "chunked");
    }
    if (c->close_after) header_add(c, "Connection", "close");
    if (c->pend_len + 2 <= sizeof c->pend)
        memcpy(c->pend + c->pend_len, "\r\n", 2), c->pend_len += 2;
}

void respond_bad(conn *c)
{
    snprintf(c->path, sizeof c->path, "/400");
    c->o.status = 400;
    c->o.size = 11;
    c->o.framing = FRAME_LENGTH;
    c->o.stop = STOP_NONE;
    c->o.latency_ms = c->o.drip_ms = 0;
    c->o.piece = 65536;
    c->close_after = true;
    respond_begin(c);
}

/* Queues framing text (a chunk size line, a CRLF, the last chunk). */
static void pend_set(conn *c, const char *text)
{
    size_t n = strlen(text);
    memcpy(c->pend, text, n);
    c->pend_len = n, c->pend_off = 0;
}

/* The size of the next chunk: the route's, or one of a varied sequence. */
static long chunk_next(conn *c)
{
    long left = c->o.size - c->body_off;
    long want =
        c->o.chunk > 0
            ? c->o.chunk
            : 1 + (long)(content_mix(c->seed ^ (0xC0FFEEu + (uint64_t)c->chunk_index)) %
                         3000);
    return want < left ? want : left;
}

/* Body bytes that may go out now: the rest of the body, of the current
 * chunk, and before the stop point. */
static long body_room(const conn *c)
{
    long room = c->o.size - c->body_off;
    if (c->o.framing == FRAME_CHUNKED && c->chunk_left < room) room = c->chunk_left;
    if (c->o.stop != STOP_NONE && c->o.stop_at >= 0 && c->o.stop_at - c->body_off < room)
        room = c->o.stop_at - c->body_off;
    return room < 0 ? 0 : room;
}

/* Advances the body phase by one step when no framing text is pending and
 * the current chunk is used up. Returns false at the stop point. */
static bool body_step(conn *c)
{
    if (c->o.stop != STOP_NONE && c->o.stop_at >= 0 && c->body_off >= c->o.stop_at)
        return false;
    if (c->body_off == c->o.size && c->chunk_left == 0) {
        if (c->o.framing == FRAME_CHUNKED)
            pend_set(c, "0\r\n\r\n"), c->phase = P_TAIL;
        else
            c->phase = P_DONE;
        return true;
    }
    if (c->o.framing == FRAME_CHUNKED && c->chunk_left == 0) {
        char line[32];
        c->chunk_left = chunk_next(c);
        snprintf(line, sizeof line, c->chunk_index++ % 2 ? "%lX\r\n" : "%lx\r\n",
                 c->chunk_left);
        pend_set(c, line);
    }
    return true;
}

size_t respond_fill(conn *c, unsigned char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && c->phase != P_DONE) {
        if (c->pend_off < c->pend_len) {
            size_t k =
                c->pend_len - c->pend_off < cap - n ? c->pend_len - c->pend_off : cap - n;
            memcpy(buf + n, c->pend + c->pend_off, k);
            c->pend_off += k, n += k;
            continue;
        }
        if (c->phase == P_HEAD)
            c->phase = P_BODY;
        else if (c->phase == P_TAIL)
            c->phase = P_DONE;
        long room = body_room(c);
        if (c->phase != P_BODY) continue;
        if (room == 0) {
            if (!body_step(c)) break;
            continue;
        }
        size_t k = (size_t)room < cap - n ? (size_t)room : cap - n;
        content_fill(c->seed, (size_t)c->body_off, buf + n, k);
        n += k, c->body_off += (long)k;
        if (c->o.framing == FRAME_CHUNKED && (c->chunk_left -= (long)k) == 0)
            pend_set(c, "\r\n");
    }
    return n;
}
