/* test_json.c - the JSON writer (escaping, layout, numbers) and reader
 * (round trips, escapes, error messages with byte offsets). */
#include "json.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* json_escape of n bytes, as a malloc'd string. */
static char *escaped(const char *s, size_t n)
{
    sbuf b = {0};
    json_escape(&b, s, n);
    return sbuf_take(&b);
}

static void expect_escape(const char *in, size_t n, const char *want)
{
    char *got = escaped(in, n);
    cr_assert_str_eq(got, want);
    free(got);
}

/* Quotes and backslashes get a backslash. */
Test(json, escape_quotes_and_backslash)
{
    expect_escape("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
}

/* Newline, tab and CR use short escapes; other control bytes and DEL use \u00XX. */
Test(json, escape_control_bytes)
{
    expect_escape("\n\t\r\x01\x1f\x7f", 6, "\"\\n\\t\\r\\u0001\\u001f\\u007f\"");
}

/* Invalid UTF-8 (stray byte, overlong, surrogate, cut sequence) becomes U+FFFD per byte.
 */
Test(json, invalid_utf8_becomes_replacement)
{
    expect_escape("a\xff"
                  "b",
                  3,
                  "\"a\xEF\xBF\xBD"
                  "b\"");
    expect_escape("\xc0\xaf", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_escape("\xed\xa0\x80", 3, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_escape("x\xe2\x82", 3, "\"x\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

/* Valid two-, three- and four-byte sequences pass through unchanged. */
Test(json, valid_utf8_kept)
{
    const char *s = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    char *want = xasprintf("\"%s\"", s);
    expect_escape(s, strlen(s), want);
    free(want);
}

/* json_strn writes an embedded NUL as \u0000 and keeps the bytes after it. */
Test(json, strn_embedded_nul)
{
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, false);
    json_strn(&w, "a\0b", 3);
    cr_assert_eq(b.len, 10);
    cr_assert_str_eq(b.data, "\"a\\u0000b\"");
    sbuf_free(&b);
}

/* The compact writer places commas and colons itself, across nesting levels. */
Test(json, writer_compact_layout)
{
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, false);
    json_obj_begin(&w);
    json_key(&w, "a"), json_int(&w, 1);
    json_key(&w, "b"), json_arr_begin(&w);
    json_bool(&w, true), json_bool(&w, false), json_null(&w), json_str(&w, NULL);
    json_arr_end(&w);
    json_key(&w, "c"), json_obj_begin(&w), json_key(&w, "d"), json_str(&w, "x"),
        json_obj_end(&w);
    json_key(&w, "e"), json_arr_begin(&w), json_arr_end(&w);
    json_obj_end(&w);
    cr_assert_str_eq(
        b.data, "{\"a\":1,\"b\":[true,false,null,null],\"c\":{\"d\":\"x\"},\"e\":[]}");
    sbuf_free(&b);
}

/* The pretty writer indents by two spaces and keeps empty containers on one line. */
Test(json, writer_pretty_layout)
{
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, true);
    json_obj_begin(&w);
    json_key(&w, "a"), json_arr_begin(&w), json_int(&w, 1), json_int(&w, 2),
        json_arr_end(&w);
    json_key(&w, "b"), json_obj_begin(&w), json_obj_end(&w);
    json_obj_end(&w);
    cr_assert_str_eq(b.data, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
    sbuf_free(&b);
}

static void expect_num(double v, const char *want)
{
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, false);
    json_num(&w, v);
    cr_assert_str_eq(b.data, want, "json_num(%g)", v);
    sbuf_free(&b);
}

/* Whole numbers print without a fraction; NaN and infinities (not JSON) print 0. */
Test(json, number_formats)
{
    expect_num(3.0, "3");
    expect_num(-7, "-7");
    expect_num(2.5, "2.5");
    expect_num(0.1, "0.1");
    expect_num(1e20, "1e+20");
    expect_num(NAN, "0");
    expect_num(INFINITY, "0");
}

/* Tricky strings written by the writer read back byte for byte. */
Test(json, round_trip_strings)
{
    const char *cases[] = {"plain",
                           "q\"uote\\",
                           "line\nbreak\ttab\r",
                           "\x01\x1f\x7f",
                           "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80",
                           "/slash/",
                           ""};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        sbuf b = {0};
        json_escape(&b, cases[i], strlen(cases[i]));
        char *err = NULL;
        json_value *v = json_parse(b.data, b.len, &err);
        cr_assert_not_null(v, "case %zu: %s", i, err);
        cr_assert_eq(v->type, JSON_STR);
        cr_assert_str_eq(v->str, cases[i]);
        json_free(v);
        sbuf_free(&b);
    }
}

/* A written document reads back with every type, key and value in place. */
Test(json, round_trip_document)
{
    sbuf b = {0};
    json_writer w;
    json_init(&w, &b, true);
    json_obj_begin(&w);
    json_key(&w, "n"), json_num(&w, -12.25);
    json_key(&w, "t"), json_bool(&w, true);
    json_key(&w, "z"), json_null(&w);
    json_key(&w, "list"), json_arr_begin(&w), json_int(&w, 7), json_str(&w, "s"),
        json_arr_end(&w);
    json_obj_end(&w);
    json_value *v = json_parse(b.data, b.len, NULL);
    cr_assert_not_null(v);
    cr_assert_eq(v->len, 4);
    cr_assert_float_eq(json_get_num(v, "n", 0), -12.25, 1e-9);
    cr_assert(json_get_bool(v, "t", false));
    cr_assert_eq(json_get(v, "z")->type, JSON_NULL);
    const json_value *list = json_get(v, "list");
    cr_assert_eq(list->type, JSON_ARR);
    cr_assert_eq(list->len, 2);
    cr_assert_float_eq(list->items[0]->num, 7, 1e-9);
    cr_assert_str_eq(list->items[1]->str, "s");
    json_free(v);
    sbuf_free(&b);
}

static char *parse_str(const char *text)
{
    json_value *v = json_parse(text, strlen(text), NULL);
    cr_assert_not_null(v, "%s", text);
    cr_assert_eq(v->type, JSON_STR);
    char *s = xstrdup(v->str);
    json_free(v);
    return s;
}

static void expect_str(const char *text, const char *want)
{
    char *got = parse_str(text);
    cr_assert_str_eq(got, want, "parsing %s", text);
    free(got);
}

/* \u escapes decode to UTF-8; pairs join; lone surrogates and \u0000 become U+FFFD. */
Test(json, reader_unicode_escapes)
{
    expect_str("\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac");
    expect_str("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
    expect_str("\"\\ud800x\"", "\xEF\xBF\xBDx");
    expect_str("\"\\udc00\"", "\xEF\xBF\xBD");
    expect_str("\"a\\u0000b\"", "a\xEF\xBF\xBD"
                                "b");
    expect_str("\"\\/\\b\\f\"", "/\b\f");
}

static void expect_error(const char *text, size_t len, const char *want)
{
    char *err = NULL;
    json_value *v = json_parse(text, len, &err);
    cr_assert_null(v, "%s parsed", text);
    cr_assert_not_null(err);
    cr_assert_str_eq(err, want, "parsing %s", text);
    free(err);
}

/* Errors name the problem and the byte offset where it was found. */
Test(json, reader_error_offsets)
{
    expect_error("{\"a\":}", 6, "unexpected character at byte 5");
    expect_error("[1,2", 4, "expected ',' or ']' at byte 4");
    expect_error("{\"a\" 1}", 7, "expected ':' at byte 5");
    expect_error("{1:2}", 5, "expected a key at byte 1");
    expect_error("{\"a\":1 \"b\":2}", 13, "expected ',' or '}' at byte 7");
    expect_error("\"abc", 4, "unterminated string at byte 4");
    expect_error("{} x", 4, "trailing characters at byte 3");
    expect_error("\"\\q\"", 4, "bad escape at byte 3");
    expect_error("\"\\u12G4\"", 8, "bad \\u escape at byte 3");
    expect_error("-", 1, "bad number at byte 0");
    expect_error("", 0, "unexpected end at byte 0");
    expect_error("tru", 3, "unexpected character at byte 0");
}

/* A raw control byte inside a string is refused. */
Test(json, reader_rejects_raw_control)
{
    expect_error("\"a\x01\"", 4, "control character in string at byte 3");
    expect_error("\"a\0b\"", 5, "control character in string at byte 3");
}

/* Nesting deeper than 200 levels is refused instead of exhausting the stack. */
Test(json, reader_nesting_limit)
{
    char deep[402];
    memset(deep, '[', 201);
    memset(deep + 201, ']', 201);
    char *err = NULL;
    cr_assert_null(json_parse(deep, 402, &err));
    cr_assert_str_eq(err, "nesting too deep at byte 201");
    free(err);
    json_value *ok = json_parse(deep + 1, 400, NULL);
    cr_assert_not_null(ok, "200 levels must parse");
    json_free(ok);
}

/* Large arrays and objects keep keys and values paired as they grow. */
Test(json, reader_many_members)
{
    sbuf b = {0};
    sbuf_putc(&b, '{');
    for (int i = 0; i < 100; i++) sbuf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i * 3);
    sbuf_putc(&b, '}');
    json_value *v = json_parse(b.data, b.len, NULL);
    cr_assert_not_null(v);
    cr_assert_eq(v->len, 100);
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        cr_assert_float_eq(json_get_num(v, key, -1), i * 3, 1e-9, "%s", key);
    }
    json_free(v);
    sbuf_free(&b);
}

/* The lookup helpers tolerate NULL, missing keys and values of the wrong type. */
Test(json, lookups_tolerate_wrong_types)
{
    const char *text = "{\"s\":\"x\",\"n\":4,\"b\":false,\"a\":[1]}";
    json_value *v = json_parse(text, strlen(text), NULL);
    cr_assert_null(json_get(NULL, "s"));
    cr_assert_null(json_get(v->items[3], "s"), "an array has no keys");
    cr_assert_null(json_get_str(v, "n"));
    cr_assert_null(json_get_str(v, "missing"));
    cr_assert_str_eq(json_get_str(v, "s"), "x");
    cr_assert_float_eq(json_get_num(v, "s", 9), 9, 1e-9);
    cr_assert_float_eq(json_get_num(v, "n", 9), 4, 1e-9);
    cr_assert_eq(json_get_bool(v, "b", true), false);
    cr_assert_eq(json_get_bool(v, "n", true), true);
    json_free(v);
}
