/* route.c - what the test server serves, per path prefix.
 *
 *   ROUTES := ROUTE (';' ROUTE)*
 *   ROUTE  := PREFIX (',' OPTION)*
 *   OPTION := size=N | status=N | latency=MS | body=length|chunked|close
 *           | chunk=N | piece=N | drip=MS | stall[=N] | reset[=N] | truncate=N
 *           | keepopen | lower | rendezvous=N | patience=MS
 *
 * A request is served by the route with the longest prefix of its path; a
 * path no route matches gets 404 with a short body. A request's query string
 * ("/p?size=10&status=404") overrides the route's options for that request.
 * stall, reset and truncate act after N body bytes have been sent (bare
 * stall and reset: before the status line). */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const route_opts default_opts = {
    .size = 64,
    .status = 200,
    .framing = FRAME_LENGTH,
    .piece = 65536,
    .stop_at = -1,
};

/* Parses a non-negative decimal number. Returns 0, or -1 if s is not one. */
static int parse_num(const char *s, long *out)
{
    char *end;
    if (!s || !*s) return -1;
    long v = strtol(s, &end, 10);
    if (*end || v < 0) return -1;
    *out = v;
    return 0;
}

/* Applies one "key" or "key=value" option to o (and to r when given: the
 * route-only options). Returns 0, or -1 if the option is not understood. */
static int opt_apply(route_opts *o, route *r, const char *key, const char *val)
{
    long v = 0;
    bool num = parse_num(val, &v) == 0;
    if (!strcmp(key, "size") && num)
        o->size = v;
    else if (!strcmp(key, "status") && num && v >= 100 && v <= 999)
        o->status = (int)v;
    else if (!strcmp(key, "latency") && num)
        o->latency_ms = v;
    else if (!strcmp(key, "chunk") && num)
        o->chunk = v;
    else if (!strcmp(key, "piece") && num && v > 0)
        o->piece = v;
    else if (!strcmp(key, "drip") && num)
        o->drip_ms = v;
    else if (!strcmp(key, "truncate") && num)
        o->stop = STOP_TRUNCATE, o->stop_at = v;
    else if (!strcmp(key, "stall") && (!val || num))
        o->stop = STOP_STALL, o->stop_at = val ? v : -1;
    else if (!strcmp(key, "reset") && (!val || num))
        o->stop = STOP_RESET, o->stop_at = val ? v : -1;
    else if (!strcmp(key, "keepopen") && !val)
        o->keepopen = true;
    else if (!strcmp(key, "lower") && !val)
        o->lower = true;
    else if (!strcmp(key, "body") && val && !strcmp(val, "length"))
        o->framing = FRAME_LENGTH;
    else if (!strcmp(key, "body") && val && !strcmp(val, "chunked"))
        o->framing = FRAME_CHUNKED;
    else if (!strcmp(key, "body") && val && !strcmp(val, "close"))
        o->framing = FRAME_CLOSE;
    else if (r && !strcmp(key, "rendezvous") && num)
        r->rendezvous = (int)v;
    else if (r && !strcmp(key, "patience") && num)
        r->patience_ms = v;
    else
        return -1;
    return 0;
}

/* Splits "key=value" in place; val is NULL for a bare key. */
static void opt_split(char *word, char **key, char **val)
{
    char *eq = strchr(word, '=');
    *key = word;
    *val = NULL;
    if (eq) *eq = 0, *val = eq + 1;
}

/* Parses one ROUTE (modified in place) into r. Returns 0 or -1 (err set). */
static int route_parse(char *text, route *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->o = default_opts;
    r->patience_ms = 3000;
    char *save = NULL;
    char *prefix = strtok_r(text, ",", &save);
    if (!prefix || prefix[0] != '/' || strlen(prefix) >= sizeof r->prefix) {
        snprintf(err, errlen, "route '%s': the prefix must start with '/'",
                 prefix ? prefix : "");
        return -1;
    }
    strcpy(r->prefix, prefix);
    for (char *w = strtok_r(NULL, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char *key, *val;
        opt_split(w, &key, &val);
        if (opt_apply(&r->o, r, key, val) < 0) {
            snprintf(err, errlen, "route '%s': bad option '%s%s%s'", r->prefix, key,
                     val ? "=" : "", val ? val : "");
            return -1;
        }
    }
    return 0;
}

int routes_parse(const char *spec, routes *rs, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    rs->fallback.o = default_opts;
    rs->fallback.o.status = 404;
    rs->fallback.o.size = 32;
    strcpy(rs->fallback.prefix, "(none)");
    char *copy = strdup(spec ? spec : ""), *save = NULL;
    if (!copy) return -1;
    for (char *t = strtok_r(copy, "; \n", &save); t; t = strtok_r(NULL, "; \n", &save)) {
        route *grown = realloc(rs->items, (rs->len + 1) * sizeof *grown);
        if (!grown) break;
        rs->items = grown;
        if (route_parse(t, &rs->items[rs->len], err, errlen) < 0) {
            free(copy);
            return -1;
        }
        rs->len++;
    }
    free(copy);
    return 0;
}

void route_opts_query(route_opts *o, const char *query)
{
    char buf[PATH_MAX_BYTES], *save = NULL;
    snprintf(buf, sizeof buf, "%s", query);
    for (char *w = strtok_r(buf, "&", &save); w; w = strtok_r(NULL, "&", &save)) {
        char *key, *val;
        opt_split(w, &key, &val);
        opt_apply(o, NULL, key, val);
    }
}

route *routes_match(routes *rs, const char *path)
{
    route *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < rs->len; i++) {
        size_t n = strlen(rs->items[i].prefix);
        if (n > best_len && !strncmp(path, rs->items[i].prefix, n))
            best = &rs->items[i], best_len = n;
    }
    return best ? best : &rs->fallback;
}

void routes_free(routes *rs)
{
    free(rs->items);
    memset(rs, 0, sizeof *rs);
}
