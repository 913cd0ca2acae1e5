/* test_i18n.c - messages of the driver put into the grading's language
 * (i18n_format) with the real catalog of build/locale (make builds it). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

static void portuguese(void)
{
    const char *r = getenv("GRADER_ROOT");
    cr_assert_eq(i18n_init(r && *r ? r : ".", "pt-BR"), 0, "no pt-BR catalog: run make");
}

static void english(void)
{
    const char *r = getenv("GRADER_ROOT");
    i18n_init(r && *r ? r : ".", "en");
}

Test(i18n, arguments_go_into_the_translation, .init = portuguese, .fini = english)
{
    const char *args[] = {"T1", "M2"};
    char *m = i18n_format("%s holds %s, acquired here", args, 2);
    cr_assert_str_eq(m, "T1 segura M2, adquirida aqui");
    free(m);
}

Test(i18n, numbered_arguments_reorder, .init = portuguese, .fini = english)
{
    const char *args[] = {"T1", "T2", "signal", "5"};
    char *m = i18n_format(
        "%s is woken by %s's %s, finds nothing to do and waits again (step %ld)", args,
        4);
    cr_assert_str_eq(m, "T1 é acordada pelo signal de T2, não encontra nada para fazer e "
                        "espera de novo (passo 5)");
    free(m);
}

Test(i18n, a_sentence_given_as_argument_is_translated, .init = portuguese,
     .fini = english)
{
    const char *args[] = {"fork", "a process", "no thread"};
    char *m = i18n_format("%s creates %s, and that is not allowed here: %s", args, 3);
    cr_assert_str_eq(m, "fork cria um processo, e isso não é permitido aqui: no thread");
    free(m);
}

Test(i18n, unknown_formats_and_missing_arguments_keep_the_english, .init = portuguese,
     .fini = english)
{
    const char *args[] = {"T1"};
    cr_assert_null(i18n_format("a format of nobody's %s", args, 1));
    cr_assert_null(i18n_format("%s holds %s, acquired here", args, 1));
}

Test(i18n, english_needs_no_translation)
{
    english();
    const char *args[] = {"T1", "M2"};
    cr_assert_null(i18n_format("%s holds %s, acquired here", args, 2));
    cr_assert_str_eq(i18n_lang(), "en");
}
