/* json.h - a small JSON writer and reader.
 *
 * The writer appends to an sbuf and always produces valid UTF-8 JSON: control
 * bytes are escaped and invalid UTF-8 (student output is arbitrary bytes) becomes
 * U+FFFD. The reader builds a tree owned by its root (json_free). */
#ifndef GRADER_JSON_H
#define GRADER_JSON_H

#include "util.h"

/* --- writer ------------------------------------------------------------- */

/* A writer keeps a stack of "is this the first element" flags so callers never
 * write commas themselves. `pretty` indents by two spaces. */
typedef struct json_writer {
    sbuf *out;
    int depth;
    bool pretty;
    bool first[64];
    bool after_key;
} json_writer;

void json_init(json_writer *w, sbuf *out, bool pretty);
void json_obj_begin(json_writer *w);
void json_obj_end(json_writer *w);
void json_arr_begin(json_writer *w);
void json_arr_end(json_writer *w);
void json_key(json_writer *w, const char *key);
void json_str(json_writer *w, const char *s); /* NULL writes null */
void json_strn(json_writer *w, const char *s, size_t n);
void json_int(json_writer *w, long long v);
void json_num(json_writer *w, double v); /* integers print without a fraction */
void json_bool(json_writer *w, bool v);
void json_null(json_writer *w);

/* Append s (n bytes) as a JSON string literal with quotes. */
void json_escape(sbuf *b, const char *s, size_t n);

/* --- reader ------------------------------------------------------------- */

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_type;

typedef struct json_value json_value;
struct json_value {
    json_type type;
    bool b;
    double num;
    char *str;          /* JSON_STR: NUL-terminated (embedded NULs become U+FFFD) */
    json_value **items; /* JSON_ARR / JSON_OBJ values */
    char **keys;        /* JSON_OBJ keys, parallel to items */
    size_t len, cap;
};

/* Parses text; returns the root (caller frees with json_free) or NULL and, when
 * err is not NULL, a malloc'd message with the byte offset. */
json_value *json_parse(const char *text, size_t len, char **err);
void json_free(json_value *v);

/* Calls fn(ctx, v) for every non-empty line of text: v is the line parsed,
 * or NULL when it is not JSON (freed after the call). */
void json_lines(const char *text, size_t len, void (*fn)(void *ctx, const json_value *v),
                void *ctx);

/* Lookups that tolerate NULL and wrong types, for terse readers. */
const json_value *json_get(const json_value *obj, const char *key);
const char *json_get_str(const json_value *obj, const char *key); /* NULL if absent */
double json_get_num(const json_value *obj, const char *key, double dflt);
bool json_get_bool(const json_value *obj, const char *key, bool dflt);

#endif
