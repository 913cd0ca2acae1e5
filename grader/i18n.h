/* i18n.h - the language of every student-facing word (GNU gettext).
 *
 * The grader's own messages live in the text domain "grader"; each exercise's
 * spec strings in the domain "exercise-NAME". Catalogs are compiled by `make`
 * into ROOT/build/locale/LL/LC_MESSAGES/DOMAIN.mo. English is the source
 * language: it needs no catalog. Machine fields (kinds, outcomes, check
 * names, JSON keys) never go through these functions. */
#ifndef GRADER_I18N_H
#define GRADER_I18N_H

#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>

#define _(s)  gettext(s)
#define N_(s) (s)

/* The language named by the environment as it was when the grader started
 * (LC_ALL, else LC_MESSAGES, else LANG), as a tag such as "pt-BR", or NULL.
 * Call before anything sets LC_ALL=C. The string is static. */
const char *i18n_env_lang(void);

/* Chooses the language of every later message: lang ("pt-BR", "en", "pt_BR"),
 * else the environment's (see i18n_env_lang) when it has a catalog, else
 * English. root is the repository (catalogs under root/build/locale).
 * Returns 0, or -1 when lang was given and has no catalog (English is then
 * in force). The programs under test are unaffected: they run with LANG=C. */
int i18n_init(const char *root, const char *lang);

/* The language in force, as a tag ("en", "pt-BR"); static. */
const char *i18n_lang(void);

/* The languages with a catalog of the grader's, "en" first, separated by
 * ", " (caller frees). */
char *i18n_available(void);

/* Binds an exercise's text domain "exercise-NAME" (UTF-8); returns the
 * domain name (static, valid until the next call). */
const char *i18n_exercise_domain(const char *exercise);

/* s translated in domain into the language tag lang (switching the language
 * for this lookup only); NULL when the catalog has no translation. English
 * always translates to s itself. */
const char *i18n_lookup(const char *domain, const char *lang, const char *s);

/* A message a program beside the student's code (the driver, the shim)
 * formatted in English from fmt, put in the language in force: fmt is
 * looked up in the exercise's catalog (the last i18n_exercise_domain), then
 * in the grader's, and args (each argument already formatted, in order)
 * go into the translation's conversions ("%s", "%zu", "%2$s"...), each
 * translated too when it is a sentence of the catalogs; no printf ever
 * sees fmt. Returns the message (caller frees), or NULL when
 * fmt has no translation or the arguments do not fit it. */
char *i18n_format(const char *fmt, const char *const *args, size_t nargs);

/* Converts a tag to the catalog's directory name: "pt-BR" -> "pt_BR"
 * (into buf of size n); returns buf. */
char *i18n_dir_name(const char *tag, char *buf, unsigned long n);

#endif
