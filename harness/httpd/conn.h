/* conn.h - one client connection of the test server (server.c, respond.c). */
#ifndef HTTPD_CONN_H
#define HTTPD_CONN_H

#include "httpd.h"

enum conn_state {
    C_READ,  /* reading a request */
    C_HOLD,  /* request read, held for its route's rendezvous */
    C_WAIT,  /* request read, waiting out the route's latency */
    C_WRITE, /* sending the response */
    C_STALL, /* never answers; closes when the client does */
    C_DRAIN, /* response sent and write side shut: waits for the client to close */
    C_DEAD,  /* closed, to be freed */
};

enum resp_phase { P_HEAD, P_BODY, P_TAIL, P_DONE };

typedef struct conn {
    int fd;
    int state;
    bool peer_eof;   /* the client shut its write side */
    int64_t wake_ms; /* timer of C_WAIT, C_DRAIN and drip pauses; 0: none */
    char in[REQUEST_MAX];
    size_t in_len;
    char path[PATH_MAX_BYTES];
    route *home;      /* the route serving the request (not owned) */
    route_opts o;     /* its options, with the request's overrides */
    bool close_after; /* close once the response is sent */
    /* the response being generated */
    int phase;
    char pend[512]; /* framing text waiting to go out */
    size_t pend_len, pend_off;
    long body_off, chunk_left, chunk_index;
    uint64_t seed;
    unsigned char out[65536]; /* bytes of the current write step */
    size_t out_len, out_off;
} conn;

/* respond.c */
/* Prepares the response of c (status line and headers queued). */
void respond_begin(conn *c);
/* Writes the next at most cap bytes of the response into buf; returns how
 * many. 0 means the response is complete (phase P_DONE) or has reached its
 * route's stop point. */
size_t respond_fill(conn *c, unsigned char *buf, size_t cap);
/* Queues a 400 response for a request that could not be understood. */
void respond_bad(conn *c);

#endif
