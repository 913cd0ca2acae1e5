#!/usr/bin/env bash
# tests/l10n/run.sh - the languages, as TAP.
#
# Every catalog is 100% translated against strings extracted afresh from the
# sources (so a new string without its translation fails here), the language
# is chosen by --lang, else LC_ALL/LC_MESSAGES/LANG, else English, and the
# programs under test still see LANG=C.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; status=1; }

# --- 1. every catalog complete -------------------------------------------------
# catalog_complete NAME PO POT: merge PO with POT (fresh) and demand every
# message translated, none fuzzy, and msgfmt --check clean.
catalog_complete() {
    local name=$1 po=$2 pot=$3 merged="$tmp/merged.po" stats
    if ! msgmerge --quiet --no-wrap -o "$merged" "$po" "$pot" 2>"$tmp/err"; then
        bad "$name: msgmerge failed: $(head -1 "$tmp/err")"
        return
    fi
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$merged" 2>&1)
    if [[ "$stats" =~ ^[0-9]+\ translated\ messages?\.$ ]]; then
        ok "$name is 100% translated ($stats)"
    else
        bad "$name is not 100% translated: $stats (run make po, then translate)"
    fi
}

make -s "build/po/grader.pot" >/dev/null 2>&1 || bad "xgettext of the grader's sources"
for po in po/*.po; do
    catalog_complete "$po" "$po" build/po/grader.pot
done
for po in exercises/*/po/*.po; do
    [ -e "$po" ] || continue
    ex=$(echo "$po" | cut -d/ -f2)
    make -s "build/po/exercise-$ex.pot" >/dev/null 2>&1 || bad "xgettext of exercises/$ex/spec.lua"
    catalog_complete "$po" "$po" "build/po/exercise-$ex.pot"
done

# --- 2. choosing the language -------------------------------------------------
want() { # want NAME EXPECTED-SUBSTRING COMMAND...
    local name=$1 expect=$2
    shift 2
    if "$@" 2>&1 | grep -qF -- "$expect"; then ok "$name"; else bad "$name: no '$expect' in: $("$@" 2>&1 | head -2)"; fi
}
unset LANGUAGE
want "--lang pt-BR speaks Portuguese" "uso: grader" env LC_ALL= LANG=C bin/grader help --lang pt-BR
want "--lang=pt-BR after the command" "todos os exercícios" env LC_ALL= LANG=C bin/grader --lang=pt-BR help
want "--lang pt_BR is the same language" "uso: grader" env LC_ALL= LANG=C bin/grader help --lang pt_BR
want "--lang en wins over LANG" "usage: grader" env LC_ALL= LANG=pt_BR.UTF-8 bin/grader help --lang en
want "LANG=pt_BR.UTF-8 speaks Portuguese" "uso: grader" env LC_ALL= LC_MESSAGES= LANG=pt_BR.UTF-8 bin/grader help
want "LC_MESSAGES wins over LANG" "usage: grader" env LC_ALL= LC_MESSAGES=en_US.UTF-8 LANG=pt_BR.UTF-8 bin/grader help
want "LC_ALL wins over LC_MESSAGES" "uso: grader" env LC_ALL=pt_BR.UTF-8 LC_MESSAGES=C bin/grader help
want "no language set: English" "usage: grader" env -u LC_ALL -u LC_MESSAGES -u LANG bin/grader help
want "a language without a catalog: English" "usage: grader" env LC_ALL= LANG=fr_FR.UTF-8 bin/grader help
want "--lang of an unknown language is a usage error naming the languages" "languages: en, pt-BR" \
    bin/grader help --lang fr
env LC_ALL= LANG=C bin/grader help --lang xx >/dev/null 2>&1
[ $? = 64 ] && ok "--lang xx exits 64" || bad "--lang xx should exit 64"
want "a Portuguese usage error" "precisa do nome de um exercício" bin/grader grade --lang pt-BR
if bin/grader help --lang pt-BR | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    ok "Portuguese output is valid UTF-8"
else
    bad "Portuguese output is not valid UTF-8"
fi

# --- 3. assignments in the student's language ----------------------------------
for ex in exercises/*/; do
    ex=$(basename "$ex")
    [ -f "exercises/$ex/po/pt_BR.po" ] || continue
    if [ -s "exercises/$ex/README.pt-BR.md" ]; then
        ok "$ex has its assignment in Brazilian Portuguese"
    else
        bad "$ex declares pt-BR strings but has no README.pt-BR.md"
    fi
done
bin/grader init threads "$tmp/pt" --lang pt-BR >/dev/null 2>&1
if cmp -s "$tmp/pt/README.md" exercises/threads/README.pt-BR.md; then
    ok "init --lang pt-BR gives the Portuguese assignment as README.md"
else
    bad "init --lang pt-BR should copy README.pt-BR.md as README.md"
fi
bin/grader init threads "$tmp/en" --lang en >/dev/null 2>&1
if cmp -s "$tmp/en/README.md" exercises/threads/README.md; then
    ok "init --lang en gives the English assignment"
else
    bad "init --lang en should copy README.md"
fi
bin/grader classroom-template "$tmp/starter" threads --lang pt-BR >/dev/null 2>&1
if grep -q -- 'classroom-step threads threads --lang pt-BR' "$tmp/starter/.github/workflows/classroom.yml" &&
    grep -q -- '^LANGUAGE_OPT := --lang pt-BR' "$tmp/starter/Makefile" &&
    cmp -s "$tmp/starter/threads/README.md" exercises/threads/README.pt-BR.md &&
    [ -f "$tmp/starter/.grader/po/pt_BR.po" ]; then
    ok "classroom-template --lang pt-BR: workflow, Makefile and assignment in Portuguese, catalogs shipped"
else
    bad "classroom-template --lang pt-BR should grade in Portuguese and ship the catalogs"
fi
mkdir -p "$tmp/root/exercises"
if GRADER_ROOT="$tmp/root" bin/grader new counter >/dev/null 2>&1 &&
    [ -s "$tmp/root/exercises/counter/README.md" ] && [ -s "$tmp/root/exercises/counter/README.pt-BR.md" ] &&
    grep -q '_("' "$tmp/root/exercises/counter/spec.lua"; then
    ok "new scaffolds both assignments and a spec whose strings are in _()"
else
    bad "new should write README.md, README.pt-BR.md and _() strings"
fi

# --- 4. Portuguese reports hold no English sentence of ours ----------------------
# The golden pt-BR reports (tests/golden/*/*.pt-BR.*, compared by the golden
# tier) are read as they are committed; an English report must fail the same
# test, or it proves nothing.
goldens=$(ls tests/golden/*/*.pt-BR.* 2>/dev/null)
if [ -n "$goldens" ]; then
    python3 tests/l10n/no_english.py $goldens || status=1
else
    bad "no golden pt-BR report (tests/golden/*/*.pt-BR.*)"
fi
english=$(ls tests/golden/threads/serial.txt 2>/dev/null)
if [ -n "$english" ] && ! python3 tests/l10n/no_english.py "$english" >/dev/null; then
    ok "an English report is caught by the same test"
else
    bad "the English report tests/golden/threads/serial.txt should fail no_english.py"
fi

exit $status
