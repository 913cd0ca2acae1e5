/* test_text.c - the text-sanitising layer every report writes through. */
#include "text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *put(text_fmt f, const char *s)
{
    sbuf b = {0};
    text_put(&b, f, s);
    return b.data ? sbuf_take(&b) : xstrdup("");
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = text_utf8_len(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

Test(text, latin1_becomes_replacement)
{
    char *s = put(TEXT_PLAIN, "/* Solu\xe7\xe3o */");
    cr_assert_str_eq(s, "/* Solu\xEF\xBF\xBD\xEF\xBF\xBD"
                        "o */");
    cr_assert(valid_utf8(s));
    free(s);
}

Test(text, utf8_kept_invalid_forms_replaced)
{
    char *s = put(TEXT_PLAIN, "ação \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xE2\x82");
    cr_assert(valid_utf8(s));
    cr_assert(str_starts(s, "ação "));
    cr_assert_null(strstr(s, "\xC0"));
    free(s);
}

Test(text, controls_become_question_marks)
{
    char *s = put(TEXT_PLAIN, "a\033[31mb\rc\x7f\xC2\x9B"
                              "d\n\te");
    cr_assert_str_eq(s, "a?[31mb?c??d\n\te");
    free(s);
}

Test(text, xml_escapes_and_noncharacters)
{
    char *s = put(TEXT_XML, "<a href=\"x\">&'\xEF\xBF\xBE\x01");
    cr_assert_str_eq(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\xEF\xBF\xBD?");
    free(s);
}

Test(text, markdown_inline_escaped_code_spans_kept)
{
    char *s = put(TEXT_MD, "use *p_x* in `a_b*c` <b>#1");
    cr_assert_str_eq(s, "use \\*p\\_x\\* in `a_b*c` \\<b\\>\\#1");
    free(s);
}

Test(text, markdown_keeps_lines_and_escapes_line_starts)
{
    char *s = put(TEXT_MD, "first\n- not a list\n1. not a list either\n\n");
    cr_assert_str_eq(s, "first\\\n\\- not a list\\\n1\\. not a list either");
    free(s);
}

Test(text, markdown_cell_one_line)
{
    char *s = put(TEXT_MD_CELL, "a|b\nc");
    cr_assert_str_eq(s, "a\\|b c");
    free(s);
}

Test(text, fence_longer_than_any_backticks)
{
    sbuf b = {0};
    text_md_fence(&b, "c", "x = ```;\n", "  ");
    cr_assert_str_eq(b.data, "  ````c\n  x = ```;\n  ````\n");
    sbuf_free(&b);
}

Test(text, advice_code_lines_fenced)
{
    sbuf b = {0};
    text_md_advice(&b, "Lock first:\n    pthread_mutex_lock(&m);\n    n++;\nthen unlock.",
                   "");
    cr_assert_str_eq(b.data,
                     "Lock first:\n\n```c\n    pthread_mutex_lock(&m);\n    n++;\n```\n"
                     "then unlock.\n");
    sbuf_free(&b);
}
