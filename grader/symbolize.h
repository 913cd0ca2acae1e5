/* symbolize.h - turning code addresses into the student's lines.
 *
 * Parsers of the driver's channel and of the stress shim produce raw frames
 * (module + offset). symbolize_findings resolves those of the program itself
 * with one addr2line process (inlined calls become frames of their own), then
 * stacks_tidy keeps the frames that belong to the exercise's sources. */
#ifndef GRADER_SYMBOLIZE_H
#define GRADER_SYMBOLIZE_H

#include "model.h"

/* Resolves every raw frame of fs in place. binary: the program that ran. */
void symbolize_findings(findings *fs, const char *binary);

/* Makes file names relative to build_dir, drops frames outside the build
 * directory (libc, sanitizer runtime, driver support) unless that would leave a
 * stack empty, and locates each finding at the student's first frame. */
void stacks_tidy(findings *fs, const char *build_dir, const char *source);

/* A driver's finding located at a wait in the student's file (source, whose
 * text is source_text; the wait its caller returned from, drv_finding_in)
 * moves to the `if` or `while` that decided to wait: a woken caller that
 * went wrong did so because that test was not made again. */
void findings_to_decision(findings *fs, const char *source, const char *source_text);

#endif
