/* scaffold.h - files the grader writes for instructors: a new exercise that
 * `grader check` accepts at once, a GitHub Classroom starter repository and a
 * Gradescope autograder. */
#ifndef GRADER_SCAFFOLD_H
#define GRADER_SCAFFOLD_H

#include "util.h"

/* Creates exercises/NAME and solutions/NAME under root (a working example:
 * a counter shared by threads). Returns 0, or -1 with *err set (caller frees). */
int scaffold_exercise(const char *root, const char *name, const char *title, char **err);

/* Writes a student starter repository into dir: per exercise its skeleton,
 * header and assignment; a student Makefile; the grader's sources (never the
 * solutions) in .grader/; and .github/workflows/classroom.yml that grades each
 * exercise in its own step and reports to GitHub Classroom. exercises: names,
 * or all when n == 0. lang (e.g. "pt-BR", or NULL for the students' own
 * LANG): every grading speaks it, and each README.md is the assignment in
 * it (README.LANG.md) where the exercise has one. Returns 0, or -1 with
 * *err set. */
int scaffold_classroom(const char *root, const char *dir, char **exercises, size_t n,
                       const char *lang, char **err);

/* Writes a Gradescope autograder into dir: setup.sh (installs what grading
 * needs, builds the grader), run_autograder (grades the submission's EX.c
 * into results/results.json) and grader/ (the grader's sources and the
 * exercise, never the solutions), the folder to zip. With several
 * exercises, one such folder per exercise: dir/EX. Returns 0, or -1 with
 * *err set (caller frees). */
int scaffold_gradescope(const char *root, const char *dir, char **exercises, size_t n,
                        char **err);

/* The workflow file alone (caller frees); ids are the exercise names; lang
 * as for scaffold_classroom. */
char *scaffold_workflow(char **exercises, size_t n, const char *lang);

#endif
