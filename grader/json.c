/* json.c - see json.h. */
#include "json.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writer ------------------------------------------------------------- */

void json_init(json_writer *w, sbuf *out, bool pretty)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty;
    w->first[0] = true;
}

static void newline(json_writer *w)
{
    if (!w->pretty) return;
    sbuf_putc(w->out, '\n');
    for (int i = 0; i < w->depth; i++) sbuf_puts(w->out, "  ");
}

/* Called before every value or key: writes the separating comma and indent. */
static void before_item(json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth]) sbuf_putc(w->out, ',');
        newline(w);
    }
    w->first[w->depth] = false;
}

static void open_container(json_writer *w, char c)
{
    before_item(w);
    sbuf_putc(w->out, c);
    if (w->depth < 63) w->depth++;
    w->first[w->depth] = true;
}

static void close_container(json_writer *w, char c)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0) w->depth--;
    if (!empty) newline(w);
    sbuf_putc(w->out, c);
}

void json_obj_begin(json_writer *w)
{
    open_container(w, '{');
}
void json_obj_end(json_writer *w)
{
    close_container(w, '}');
}
void json_arr_begin(json_writer *w)
{
    open_container(w, '[');
}
void json_arr_end(json_writer *w)
{
    close_container(w, ']');
}

void json_key(json_writer *w, const char *key)
{
    before_item(w);
    json_escape(w->out, key, strlen(key));
    sbuf_puts(w->out, w->pretty ? ": " : ":");
    w->after_key = true;
}

void json_escape(sbuf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    sbuf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            sbuf_putc(b, '\\');
            sbuf_putc(b, (char)c);
            i++;
        } else if (c == '\n') {
            sbuf_puts(b, "\\n"), i++;
        } else if (c == '\t') {
            sbuf_puts(b, "\\t"), i++;
        } else if (c == '\r') {
            sbuf_puts(b, "\\r"), i++;
        } else if (c < 0x20 || c == 0x7f) {
            sbuf_printf(b, "\\u%04x", c), i++;
        } else {
            size_t len = text_utf8_len(p + i, n - i);
            if (len == 0) {
                sbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
                i++;
            } else {
                sbuf_add(b, p + i, len);
                i += len;
            }
        }
    }
    sbuf_putc(b, '"');
}

void json_str(json_writer *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_strn(w, s, strlen(s));
}

void json_strn(json_writer *w, const char *s, size_t n)
{
    before_item(w);
    json_escape(w->out, s, n);
}

void json_int(json_writer *w, long long v)
{
    before_item(w);
    sbuf_printf(w->out, "%lld", v);
}

void json_num(json_writer *w, double v)
{
    before_item(w);
    if (!isfinite(v))
        sbuf_puts(w->out, "0");
    else if (fabs(v) < 1e15 && v == (double)(long long)v)
        sbuf_printf(w->out, "%lld", (long long)v);
    else
        sbuf_printf(w->out, "%.6g", v);
}

void json_bool(json_writer *w, bool v)
{
    before_item(w);
    sbuf_puts(w->out, v ? "true" : "false");
}

void json_null(json_writer *w)
{
    before_item(w);
    sbuf_puts(w->out, "null");
}

/* --- reader ------------------------------------------------------------- */

typedef struct parser {
    const char *s, *end;
    const char *err;
    int depth;
} parser;

static void skip_ws(parser *p)
{
    while (p->s < p->end &&
           (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t'))
        p->s++;
}

static json_value *new_value(json_type t)
{
    json_value *v = xmalloc(sizeof *v);
    v->type = t;
    return v;
}

static void put_utf8(sbuf *b, unsigned cp)
{
    if (cp == 0) cp = 0xFFFD;
    if (cp < 0x80)
        sbuf_putc(b, (char)cp);
    else if (cp < 0x800) {
        sbuf_putc(b, (char)(0xC0 | (cp >> 6)));
        sbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sbuf_putc(b, (char)(0xE0 | (cp >> 12)));
        sbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sbuf_putc(b, (char)(0xF0 | (cp >> 18)));
        sbuf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hex4(parser *p, unsigned *out)
{
    if (p->end - p->s < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    p->s += 4;
    *out = v;
    return 0;
}

static char *parse_string(parser *p)
{
    sbuf b = {0};
    p->s++; /* opening quote */
    while (p->s < p->end && *p->s != '"') {
        char c = *p->s++;
        if ((unsigned char)c < 0x20) {
            p->err = "control character in string";
            goto fail;
        }
        if (c == 0) c = '?';
        if (c != '\\') {
            sbuf_putc(&b, c);
            continue;
        }
        if (p->s >= p->end) break;
        c = *p->s++;
        unsigned cp;
        switch (c) {
        case '"':
            sbuf_putc(&b, '"');
            break;
        case '\\':
            sbuf_putc(&b, '\\');
            break;
        case '/':
            sbuf_putc(&b, '/');
            break;
        case 'b':
            sbuf_putc(&b, '\b');
            break;
        case 'f':
            sbuf_putc(&b, '\f');
            break;
        case 'n':
            sbuf_putc(&b, '\n');
            break;
        case 'r':
            sbuf_putc(&b, '\r');
            break;
        case 't':
            sbuf_putc(&b, '\t');
            break;
        case 'u':
            if (hex4(p, &cp) < 0) {
                p->err = "bad \\u escape";
                goto fail;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && p->end - p->s >= 6 && p->s[0] == '\\' &&
                p->s[1] == 'u') {
                unsigned lo;
                p->s += 2;
                if (hex4(p, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    cp = 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            put_utf8(&b, cp);
            break;
        default:
            p->err = "bad escape";
            goto fail;
        }
    }
    if (p->s >= p->end) {
        p->err = "unterminated string";
        goto fail;
    }
    p->s++;
    return sbuf_take(&b);
fail:
    sbuf_free(&b);
    return NULL;
}

static json_value *parse_value(parser *p);

static void add_item(json_value *v, char *key, json_value *item)
{
    if (v->len == v->cap) {
        size_t cap = v->cap;
        vec_grow((void **)&v->items, &cap, v->len + 1, sizeof *v->items);
        if (v->type == JSON_OBJ) {
            size_t kcap = v->cap;
            vec_grow((void **)&v->keys, &kcap, v->len + 1, sizeof *v->keys);
        }
        v->cap = cap;
    }
    if (v->type == JSON_OBJ) v->keys[v->len] = key;
    v->items[v->len++] = item;
}

static json_value *parse_container(parser *p, bool obj)
{
    json_value *v = new_value(obj ? JSON_OBJ : JSON_ARR);
    p->s++;
    if (++p->depth > 200) {
        p->err = "nesting too deep";
        goto fail;
    }
    skip_ws(p);
    if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
        p->s++;
        p->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (obj) {
            if (p->s >= p->end || *p->s != '"') {
                p->err = "expected a key";
                goto fail;
            }
            if (!(key = parse_string(p))) goto fail;
            skip_ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                p->err = "expected ':'";
                goto fail;
            }
            p->s++;
        }
        json_value *item = parse_value(p);
        if (!item) {
            free(key);
            goto fail;
        }
        add_item(v, key, item);
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == (obj ? '}' : ']')) {
            p->s++;
            p->depth--;
            return v;
        }
        p->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
        goto fail;
    }
fail:
    json_free(v);
    return NULL;
}

static json_value *parse_value(parser *p)
{
    skip_ws(p);
    if (p->s >= p->end) {
        p->err = "unexpected end";
        return NULL;
    }
    char c = *p->s;
    if (c == '{' || c == '[') return parse_container(p, c == '{');
    if (c == '"') {
        char *s = parse_string(p);
        if (!s) return NULL;
        json_value *v = new_value(JSON_STR);
        v->str = s;
        return v;
    }
    static const struct {
        const char *word;
        json_type t;
        bool b;
    } words[] = {{"true", JSON_BOOL, true},
                 {"false", JSON_BOOL, false},
                 {"null", JSON_NULL, false}};
    for (size_t i = 0; i < ARRAY_LEN(words); i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(p->end - p->s) >= n && !memcmp(p->s, words[i].word, n)) {
            p->s += n;
            json_value *v = new_value(words[i].t);
            v->b = words[i].b;
            return v;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (p->s + n < p->end && n < sizeof buf - 1 &&
               strchr("+-0123456789.eE", p->s[n]))
            n++;
        memcpy(buf, p->s, n);
        buf[n] = 0;
        char *endp;
        double d = strtod(buf, &endp);
        if (endp == buf) {
            p->err = "bad number";
            return NULL;
        }
        p->s += endp - buf;
        json_value *v = new_value(JSON_NUM);
        v->num = d;
        return v;
    }
    p->err = "unexpected character";
    return NULL;
}

json_value *json_parse(const char *text, size_t len, char **err)
{
    parser p = {text, text + len, NULL, 0};
    json_value *v = parse_value(&p);
    if (v) {
        skip_ws(&p);
        if (p.s != p.end) {
            json_free(v);
            v = NULL;
            p.err = "trailing characters";
        }
    }
    if (!v && err)
        *err = xasprintf("%s at byte %ld", p.err ? p.err : "error", (long)(p.s - text));
    return v;
}

void json_lines(const char *text, size_t len, void (*fn)(void *ctx, const json_value *v),
                void *ctx)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) {
            json_value *v = json_parse(p, n, NULL);
            fn(ctx, v);
            json_free(v);
        }
        p += n + 1;
    }
}

void json_free(json_value *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->len; i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJ) return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (!strcmp(obj->keys[i], key)) return obj->items[i];
    return NULL;
}

const char *json_get_str(const json_value *obj, const char *key)
{
    const json_value *v = json_get(obj, key);
    return v && v->type == JSON_STR ? v->str : NULL;
}

double json_get_num(const json_value *obj, const char *key, double dflt)
{
    const json_value *v = json_get(obj, key);
    return v && v->type == JSON_NUM ? v->num : dflt;
}

bool json_get_bool(const json_value *obj, const char *key, bool dflt)
{
    const json_value *v = json_get(obj, key);
    return v && v->type == JSON_BOOL ? v->b : dflt;
}
