//! Differential test: asynclint against the CPython interpreters themselves.
//!
//! Every program (a few thousand generated ones, the spec's case snippets and the
//! hand-written ones in `tests/differential/cases`) is compiled by each CPython 3.7-3.13
//! found on this machine (`tests/differential/verdict.py`) and linted by asynclint with
//! the matching `--target-version`. Per file and version:
//!
//! * CPython accepts it: asynclint must report nothing at all (an AL000 is a false alarm
//!   too);
//! * CPython rejects it with one of its async/yield messages: asynclint must report an
//!   AL001-AL013 diagnostic, on CPython's line unless CPython gives none (3.8 and 3.9 give
//!   line 0 for comprehension errors);
//! * CPython rejects it for any other reason: not compared, only counted.
//!
//! Only asynclint's compile-level diagnostics take part (AL0xx and AL9xx): its lint rules
//! (AL1xx, ASYNCxxx) report runtime bugs in code that compiles, on which CPython has no
//! verdict. Every disagreement fails the test, except the few in [`KNOWN_DISAGREEMENTS`].
//!
//! Interpreters: `ASYNCLINT_CPYTHONS` (colon-separated paths) if set; otherwise the newest
//! `$(pyenv root)/versions/3.X.*/bin/python3` per minor version, else `python3.X` on
//! `PATH`. A missing version is skipped, never a failure.
//!
//! Run with `cargo test --test differential -- --nocapture` to see the summary; set
//! `ASYNCLINT_DIFFERENTIAL_KEEP=1` to keep the generated programs for inspection.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

/// The CPython minor versions compared (3.X).
const MINORS: [u32; 7] = [7, 8, 9, 10, 11, 12, 13];

/// Disagreements that are understood and cannot be fixed in asynclint: (file name as
/// written to the temporary directory, CPython version, reason). Each entry matches
/// exactly one file on one version; an entry that no longer matches a mismatch (on a
/// version that was tested) fails the test, so the list cannot go stale.
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    // CPython 3.7's compiler only ever raises its current line within a statement
    // (`compiler_visit_expr`: `if (e->lineno > c->u->u_lineno)`; 3.8 made it `!=`), and it
    // compiles some parts out of source order. An error in a part compiled after a part on a
    // later line is reported on that later line, where the offending code is not; asynclint
    // reports the offending node itself.
    (
        "case_lines_py37_ternary_body_await.py",
        "3.7",
        "3.7 compiles a conditional expression's test (line 5) before its body (the await, line 4)",
    ),
    (
        "case_lines_py37_yield_from_in_ternary.py",
        "3.7",
        "3.7 compiles a conditional expression's test (line 3) before its body (the yield from, line 2)",
    ),
    (
        "case_lines_py37_annotation_after_default.py",
        "3.7",
        "3.7 compiles defaults (line 4) before annotations (the await, line 3)",
    ),
    (
        "case_lines_py37_keyword_before_starred.py",
        "3.7",
        "3.7 compiles *args (line 4) before keyword arguments (the await, line 3)",
    ),
];

/// Longest command line (in bytes of file names) handed to one verdict.py run; far below
/// any OS limit.
const MAX_BATCH_ARG_BYTES: usize = 128 * 1024;

#[test]
fn asynclint_agrees_with_cpython() {
    let started = Instant::now();
    let interpreters = find_interpreters();
    if interpreters.is_empty() {
        println!(
            "no CPython 3.7-3.13 interpreter found (set ASYNCLINT_CPYTHONS, install them with \
             pyenv, or put python3.X on PATH): nothing to compare"
        );
        return;
    }

    let programs = collect_programs();
    println!("programs generated after {:.1?}", started.elapsed());
    let dir = tempfile::Builder::new()
        .prefix("asynclint-differential-")
        .tempdir()
        .expect("create a temporary directory");
    std::thread::scope(|scope| {
        for chunk in programs.chunks(programs.len().div_ceil(8)) {
            let dir = dir.path();
            scope.spawn(move || {
                for program in chunk {
                    std::fs::write(dir.join(&program.name), &program.bytes)
                        .unwrap_or_else(|e| panic!("write {}: {e}", program.name));
                }
            });
        }
    });
    let names: Vec<String> = programs.iter().map(|p| p.name.clone()).collect();
    let flags = asynclint_isolation_flags();
    println!("asynclint flags: --output-format json --target-version py3X {flags:?}");
    println!("programs written after {:.1?}", started.elapsed());
    println!(
        "{} programs ({} generated, {} spec cases, {} hand-written) in {}",
        programs.len(),
        programs
            .iter()
            .filter(|p| p.origin == Origin::Generated)
            .count(),
        programs.iter().filter(|p| p.origin == Origin::Spec).count(),
        programs.iter().filter(|p| p.origin == Origin::Case).count(),
        dir.path().display()
    );

    // One thread per version: CPython's verdicts, then asynclint's diagnostics.
    let results: BTreeMap<u32, VersionResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = interpreters
            .values()
            .map(|interpreter| {
                let names = &names;
                let flags = &flags;
                let dir = dir.path();
                scope.spawn(move || {
                    let t = Instant::now();
                    let verdicts = run_verdicts(interpreter, dir, names);
                    let t_verdicts = t.elapsed();
                    let (diagnostics, lint_findings) = run_asynclint(interpreter.minor, dir, flags);
                    println!(
                        "3.{}: CPython took {t_verdicts:.1?}, asynclint {:.1?}",
                        interpreter.minor,
                        t.elapsed() - t_verdicts
                    );
                    (
                        interpreter.minor,
                        VersionResult {
                            verdicts,
                            diagnostics,
                            lint_findings,
                        },
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });

    println!("all runs done after {:.1?}", started.elapsed());
    let comparison = compare(&programs, &results);
    let report = comparison.report(&programs, &results);
    println!("{report}");
    println!("differential test took {:.1?}", started.elapsed());
    if std::env::var_os("ASYNCLINT_DIFFERENTIAL_KEEP").is_some() {
        println!("kept the programs in {}", dir.keep().display());
    }
    if comparison.failures() > 0 {
        panic!(
            "asynclint disagrees with CPython: {} mismatch(es) in {} file(s), {} stale \
             known-disagreement entr(y/ies); see the report above",
            comparison.unexplained_count(),
            comparison.files_with_mismatches(),
            comparison.stale.len()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Interpreters
// ---------------------------------------------------------------------------------------

struct Interpreter {
    minor: u32,
    path: PathBuf,
    /// `3.X.Y`
    version: String,
}

/// Runs `python -c` to learn its version: `(major, minor, "M.m.p")`.
fn probe(path: &Path) -> Option<(u32, u32, String)> {
    let output = Command::new(path)
        .args([
            "-I",
            "-c",
            "import sys; print('%d.%d.%d' % tuple(sys.version_info[:3]))",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let version = String::from_utf8(output.stdout).ok()?.trim().to_string();
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor, version))
}

fn find_interpreters() -> BTreeMap<u32, Interpreter> {
    let mut found: BTreeMap<u32, Interpreter> = BTreeMap::new();
    let accept =
        |path: PathBuf, wanted: Option<u32>, found: &mut BTreeMap<u32, _>| match probe(&path) {
            Some((3, minor, version))
                if MINORS.contains(&minor) && wanted.is_none_or(|w| w == minor) =>
            {
                if let std::collections::btree_map::Entry::Vacant(entry) = found.entry(minor) {
                    entry.insert(Interpreter {
                        minor,
                        path,
                        version,
                    });
                } else {
                    println!(
                        "ignoring {}: already using another 3.{minor}",
                        path.display()
                    );
                }
            }
            Some((_, _, version)) => {
                let wanted = wanted.map_or("3.7-3.13".to_string(), |w| format!("3.{w}"));
                println!(
                    "ignoring {}: it is Python {version}, not {wanted}",
                    path.display()
                );
            }
            None => println!(
                "ignoring {}: it does not run (or is older than Python 3.4)",
                path.display()
            ),
        };

    match std::env::var_os("ASYNCLINT_CPYTHONS").filter(|list| !list.is_empty()) {
        Some(list) => {
            println!("interpreters: from ASYNCLINT_CPYTHONS");
            for path in std::env::split_paths(&list) {
                if !path.as_os_str().is_empty() {
                    accept(path, None, &mut found);
                }
            }
        }
        None => {
            let root = pyenv_root();
            for minor in MINORS {
                if let Some(path) = root.as_deref().and_then(|r| newest_pyenv_patch(r, minor)) {
                    accept(path, Some(minor), &mut found);
                }
                if !found.contains_key(&minor)
                    && let Some(path) = on_path(&format!("python3.{minor}"))
                {
                    accept(path, Some(minor), &mut found);
                }
            }
        }
    }
    for minor in MINORS {
        match found.get(&minor) {
            Some(i) => println!(
                "using CPython {} for 3.{minor}: {}",
                i.version,
                i.path.display()
            ),
            None => println!("skipping 3.{minor}: no interpreter found"),
        }
    }
    found
}

fn pyenv_root() -> Option<PathBuf> {
    let from_command = Command::new("pyenv")
        .arg("root")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty());
    from_command
        .or_else(|| std::env::var("PYENV_ROOT").ok())
        .map(PathBuf::from)
}

/// `<root>/versions/3.X.<newest patch>/bin/python3`; only plain `3.X.N` directories.
fn newest_pyenv_patch(root: &Path, minor: u32) -> Option<PathBuf> {
    let prefix = format!("3.{minor}.");
    std::fs::read_dir(root.join("versions"))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let patch: u32 = name.strip_prefix(&prefix)?.parse().ok()?;
            let python = entry.path().join("bin/python3");
            python.is_file().then_some((patch, python))
        })
        .max_by_key(|(patch, _)| *patch)
        .map(|(_, python)| python)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

// ---------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Generated,
    Spec,
    Case,
}

struct Program {
    /// The file name in the temporary directory (unique; all files are side by side).
    name: String,
    bytes: Vec<u8>,
    origin: Origin,
}

fn collect_programs() -> Vec<Program> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut programs = generate_programs();

    let spec = manifest.join("../shared/spec/cases");
    if spec.is_dir() {
        programs.extend(read_cases(&spec, "spec_", Origin::Spec));
    } else {
        println!("skipping the spec cases: {} not found", spec.display());
    }
    let cases = manifest.join("tests/differential/cases");
    let own = read_cases(&cases, "case_", Origin::Case);
    assert!(
        !own.is_empty(),
        "no hand-written cases in {}",
        cases.display()
    );
    programs.extend(own);
    programs
}

fn read_cases(dir: &Path, prefix: &str, origin: Origin) -> Vec<Program> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("read a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| Program {
            name: format!("{prefix}{}", path.file_name().unwrap().to_string_lossy()),
            bytes: std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
            origin,
        })
        .collect()
}

/// Where the generated code sits. `header` opens the scopes; the statement holding the hole
/// goes below it at `indent`.
struct Context {
    id: &'static str,
    header: &'static str,
    indent: usize,
    /// The hole must be an expression: the statement is `z = lambda: <expression>`.
    lambda: bool,
    /// The innermost statement scope is a function (so `return` is legal).
    function: bool,
    /// Every position, the extra constructs and the dead-code variants; otherwise only
    /// [`LIGHT_POSITIONS`] with the main constructs.
    full: bool,
}

const fn context(id: &'static str, header: &'static str, indent: usize, function: bool) -> Context {
    Context {
        id,
        header,
        indent,
        lambda: false,
        function,
        full: true,
    }
}

const fn light(id: &'static str, header: &'static str, indent: usize, function: bool) -> Context {
    Context {
        full: false,
        ..context(id, header, indent, function)
    }
}

const fn lambda(id: &'static str, header: &'static str, indent: usize) -> Context {
    Context {
        lambda: true,
        ..context(id, header, indent, false)
    }
}

const CONTEXTS: &[Context] = &[
    context("module", "", 0, false),
    context("class", "class C:\n", 4, false),
    context("def", "def f():\n", 4, true),
    context("adef", "async def f():\n", 4, true),
    context("adef-def", "async def f():\n    def g():\n", 8, true),
    context("def-adef", "def f():\n    async def g():\n", 8, true),
    context("adef-class", "async def f():\n    class C:\n", 8, false),
    lambda("adef-lambda", "async def f():\n", 4),
    lambda("module-lambda", "", 0),
    context("agen", "async def f():\n    yield\n", 4, true),
    context("gadef", "async def f[T]():\n", 4, true),
    light("gdef", "def f[T]():\n", 4, true),
    light(
        "adef-class-def",
        "async def f():\n    class C:\n        def m(self):\n",
        12,
        true,
    ),
    light("class-adef", "class C:\n    async def m(self):\n", 8, true),
    light(
        "agen-deadyield",
        "async def f():\n    if 0:\n        yield\n",
        4,
        true,
    ),
    light("adef-gclass", "async def f():\n    class C[T]:\n", 8, false),
];

/// Where the hole (`HOLE`) sits: a statement template, or an expression template (whose
/// statement form is `z = <expression>`), relative to the context's indentation.
struct Position {
    id: &'static str,
    stmt: Option<&'static str>,
    expr: Option<&'static str>,
    /// Only inside a function (`return`).
    needs_function: bool,
}

const fn stmt(id: &'static str, template: &'static str) -> Position {
    Position {
        id,
        stmt: Some(template),
        expr: None,
        needs_function: false,
    }
}

const fn expr(id: &'static str, template: &'static str) -> Position {
    Position {
        id,
        stmt: None,
        expr: Some(template),
        needs_function: false,
    }
}

const POSITIONS: &[Position] = &[
    Position {
        id: "stmt",
        stmt: Some("HOLE"),
        expr: Some("HOLE"),
        needs_function: false,
    },
    Position {
        id: "return",
        stmt: Some("return HOLE"),
        expr: None,
        needs_function: true,
    },
    stmt("def-default", "def g(a=HOLE):\n    pass"),
    stmt("adef-default", "async def g(a=HOLE):\n    pass"),
    stmt("param-ann", "def g(a: HOLE):\n    pass"),
    stmt("adef-param-ann", "async def g(a: HOLE):\n    pass"),
    stmt("return-ann", "def g() -> HOLE:\n    pass"),
    stmt("decorator", "@d(HOLE)\ndef g():\n    pass"),
    stmt("class-base", "class K(HOLE):\n    pass"),
    stmt("class-kw", "class K(metaclass=HOLE):\n    pass"),
    stmt("class-body", "class K:\n    v = HOLE"),
    stmt("with", "with HOLE:\n    pass"),
    stmt("for", "for a1 in HOLE:\n    pass"),
    stmt("for-else", "for a1 in b1:\n    pass\nelse:\n    v = HOLE"),
    stmt("if", "if HOLE:\n    pass"),
    stmt(
        "elif-after-true",
        "if True:\n    pass\nelif HOLE:\n    pass",
    ),
    stmt("while0-else", "while 0:\n    pass\nelse:\n    v = HOLE"),
    stmt("except-type", "try:\n    pass\nexcept HOLE:\n    pass"),
    stmt("local-ann", "v: HOLE"),
    stmt("attr-ann", "v.w: HOLE"),
    stmt("subscript-ann", "v[0]: HOLE"),
    stmt("paren-ann", "(v): HOLE"),
    stmt("ann-value", "v: int = HOLE"),
    stmt("attr-ann-target", "(HOLE).w: int"),
    stmt("for-target", "for (HOLE).w in b1:\n    pass"),
    stmt("assert", "assert HOLE"),
    stmt("match-subject", "match HOLE:\n    case _:\n        pass"),
    stmt("match-guard", "match v:\n    case _ if HOLE:\n        pass"),
    stmt("type-alias", "type X = HOLE"),
    stmt("typevar-bound", "def g[T: HOLE]():\n    pass"),
    stmt("typevar-constraint", "def g[T: (int, HOLE)]():\n    pass"),
    stmt("typevar-default", "def g[T = HOLE]():\n    pass"),
    stmt("generic-param-ann", "def g[T](a: HOLE):\n    pass"),
    stmt("generic-return-ann", "def g[T]() -> HOLE:\n    pass"),
    stmt("generic-default", "def g[T](a=HOLE):\n    pass"),
    stmt("generic-decorator", "@d(HOLE)\ndef g[T]():\n    pass"),
    stmt("generic-class-base", "class K[T](HOLE):\n    pass"),
    stmt("generic-class-body", "class K[T]:\n    v = HOLE"),
    expr("lcomp-elt", "[HOLE for a1 in b1]"),
    expr("lcomp-first-iter", "[a1 for a1 in HOLE]"),
    expr("lcomp-later-iter", "[a1 for c1 in d1 for a1 in HOLE]"),
    expr("lcomp-cond", "[a1 for a1 in b1 if HOLE]"),
    expr("async-lcomp-elt", "[HOLE async for a1 in b1]"),
    expr("dcomp-key", "{HOLE: a1 for a1 in b1}"),
    expr("dcomp-value", "{a1: HOLE for a1 in b1}"),
    expr("lcomp-target", "[a1 for (HOLE).w in b1]"),
    expr("lcomp-walrus", "[(v := HOLE) for a1 in b1]"),
    expr("genexp-elt", "(HOLE for a1 in b1)"),
    expr("genexp-first-iter", "(a1 for a1 in HOLE)"),
    expr("genexp-later-iter", "(a1 for c1 in d1 for a1 in HOLE)"),
    expr("genexp-cond", "(a1 for a1 in b1 if HOLE)"),
    expr("nested-lcomp-elt", "[[HOLE for a1 in b1] for c1 in d1]"),
    expr(
        "nested-lcomp-first-iter",
        "[[a1 for a1 in HOLE] for c1 in d1]",
    ),
    expr("lcomp-in-genexp-elt", "([HOLE for a1 in b1] for c1 in d1)"),
    expr("multiline-lcomp", "[\n    HOLE\n    for a1 in b1\n]"),
    expr("multiline-genexp", "(\n    HOLE\n    for a1 in b1\n)"),
    expr(
        "multiline-dcomp",
        "{\n    a1:\n    HOLE\n    for a1 in b1\n}",
    ),
    expr("lambda-body", "lambda: HOLE"),
    expr("lambda-default", "lambda a=HOLE: a"),
    expr("fstring", "f\"{HOLE}\""),
    expr("fstring-spec", "f\"{v:{HOLE}}\""),
    expr("fstring-in-lcomp", "[f\"{HOLE}\" for a1 in b1]"),
    expr("ternary-test", "b1 if HOLE else d1"),
    expr("ternary-dead-branch", "HOLE if 0 else d1"),
    expr("and-dead", "0 and HOLE"),
    expr("walrus", "(v := HOLE)"),
    expr("await-operand", "await (HOLE)"),
];

/// Positions that matter under `from __future__ import annotations`.
const ANNOTATION_POSITIONS: &[&str] = &[
    "param-ann",
    "adef-param-ann",
    "return-ann",
    "local-ann",
    "attr-ann",
    "subscript-ann",
    "paren-ann",
    "ann-value",
    "attr-ann-target",
    "generic-param-ann",
    "generic-return-ann",
];

/// Positions, besides the annotations, also tried under the future import.
const FUTURE_CONTROL_POSITIONS: &[&str] = &[
    "stmt",
    "def-default",
    "decorator",
    "class-base",
    "lcomp-elt",
    "lambda-body",
];

/// Positions combined with the dead-code wrappers.
const DEAD_CODE_POSITIONS: &[&str] = &["stmt", "def-default", "lcomp-elt"];

/// The positions tried in the contexts that are not `full`.
const LIGHT_POSITIONS: &[&str] = &[
    "stmt",
    "return",
    "def-default",
    "param-ann",
    "decorator",
    "class-base",
    "local-ann",
    "lcomp-elt",
    "lcomp-first-iter",
    "lcomp-later-iter",
    "genexp-elt",
    "lambda-body",
    "fstring",
    "match-guard",
    "type-alias",
];

/// The expressions put in the hole, at every position.
const CONSTRUCTS: &[(&str, &str)] = &[
    ("await", "await x"),
    ("lcomp-async", "[a async for a in b]"),
    ("scomp-async", "{a async for a in b}"),
    ("dcomp-async", "{a: a async for a in b}"),
    ("genexp-async", "(a async for a in b)"),
    ("lcomp-await", "[await a for a in b]"),
    ("genexp-await", "(await a for a in b)"),
    ("lcomp-iter-await", "[a for a in await b]"),
    ("yield", "(yield)"),
    ("yield-from", "(yield from b)"),
    ("lcomp-in-lcomp", "[[a async for a in b] for c in d]"),
    ("lcomp-in-genexp", "([a async for a in b] for c in d)"),
    ("genexp-in-lcomp", "[(a async for a in b) for c in d]"),
    ("lambda-await", "(lambda: await x)"),
];

/// More expressions, at the positions of [`EXTRA_POSITIONS`] only.
const EXTRA_CONSTRUCTS: &[(&str, &str)] = &[
    ("dcomp-key-await", "{await a: a for a in b}"),
    ("lcomp-cond-await", "[a for a in b if await a]"),
    ("lcomp-later-iter-await", "[a for c in d for a in await c]"),
    (
        "lcomp-later-iter-async",
        "[a for c in d for a in [e async for e in c]]",
    ),
    (
        "lcomp-first-iter-async",
        "[a for a in [e async for e in b]]",
    ),
    ("genexp-iter-await", "(a for a in await b)"),
    (
        "lcomp-in-lcomp-iter-await",
        "[[a for a in await c] for c in d]",
    ),
    (
        "async-lcomp-in-async-lcomp",
        "[[a async for a in c] async for c in d]",
    ),
    (
        "lcomp-3-levels",
        "[[[a async for a in b] for b in c] for c in d]",
    ),
    ("genexp-in-genexp", "((a async for a in c) for c in d)"),
    ("scomp-call-lcomp", "{len([a async for a in c]) for c in d}"),
    ("yield-in-lcomp", "[(yield) for a in b]"),
    ("yield-in-genexp", "((yield a) for a in b)"),
    ("yield-in-lcomp-iter", "[a for a in (yield)]"),
    ("lambda-yield", "(lambda: (yield))"),
    ("lambda-lcomp-async", "(lambda: [a async for a in b])"),
    ("lambda-default-await", "(lambda a=await x: a)"),
    ("lcomp-lambda-await", "[lambda: await a for a in b]"),
    ("fstring-await", "f\"{await x}\""),
    ("await-yield", "await (yield)"),
    ("walrus-await-lcomp", "[(y := await a) for a in b]"),
    ("await-await-paren", "await (await x)"),
];

/// Positions the extra constructs are tried at.
const EXTRA_POSITIONS: &[&str] = &[
    "stmt",
    "return",
    "def-default",
    "param-ann",
    "class-base",
    "class-body",
    "for",
    "local-ann",
    "lcomp-elt",
    "lcomp-first-iter",
    "lcomp-later-iter",
    "genexp-elt",
    "genexp-first-iter",
    "lambda-body",
    "fstring",
    "match-guard",
    "type-alias",
];

/// Statements put where a statement goes.
const STATEMENT_CONSTRUCTS: &[(&str, &str)] = &[
    ("async-for", "async for a in b:\n    pass"),
    (
        "async-for-else",
        "async for a in b:\n    pass\nelse:\n    pass",
    ),
    ("async-with", "async with b:\n    pass"),
    ("async-with-as", "async with b as (c, d), e:\n    pass"),
    ("return-value", "return 1"),
    ("return-none", "return None"),
    ("return-bare", "return"),
    ("yield-stmt", "yield"),
    ("yield-from-stmt", "yield from b"),
    ("async-def-stmt", "async def h():\n    await x"),
];

/// Compound statements a statement construct is nested in (header; footer after the body).
const STATEMENT_WRAPPERS: &[(&str, &str, &str)] = &[
    ("in-else", "if c1:\n    pass\nelse:\n", ""),
    ("in-for-else", "for a1 in b1:\n    pass\nelse:\n", ""),
    ("in-try", "try:\n", "except E1:\n    pass\n"),
    ("in-except", "try:\n    pass\nexcept E1:\n", ""),
    ("in-finally", "try:\n    pass\nfinally:\n", ""),
    ("in-match", "match v:\n    case 1:\n", ""),
];

/// Branches CPython 3.7 drops unchecked (and 3.8+ check), wrapped around the statement.
const DEAD_WRAPPERS: &[(&str, &str)] = &[
    ("if0", "if 0:\n"),
    ("while0", "while 0:\n"),
    ("if1-else", "if 1:\n    pass\nelse:\n"),
    ("elif0", "if c1:\n    pass\nelif 0:\n"),
    ("iftrue-elif", "if True:\n    pass\nelif c1:\n"),
];

/// The same, wrapped around the whole program (context included).
const OUTER_DEAD_WRAPPER: (&str, &str) = ("outer-if0", "if 0:\n");

/// `if`/`while` tests, some of which CPython 3.7's AST optimizer folds to a constant.
const FOLD_TESTS: &[&str] = &[
    "0",
    "1",
    "False",
    "True",
    "None",
    "...",
    "''",
    "'a'",
    "b''",
    "()",
    "(0,)",
    "(0, x)",
    "[]",
    "0.0",
    "0j",
    "not 1",
    "not 0",
    "not ()",
    "__debug__",
    "not __debug__",
    "-0",
    "~-1",
    "+0",
    "-True",
    "1 - 1",
    "True - True",
    "0 * 5",
    "5 // 10",
    "-7 // 2",
    "5 % 5",
    "1 / 2",
    "1 / 2 - 0.5",
    "0.5 // 1",
    "0.5 % 0.5",
    "2 ** -1",
    "0.0 ** 2",
    "0j + 0",
    "0j * 2",
    "0 << 3",
    "8 >> 4",
    "1 & 2",
    "1 ^ 1",
    "0 | 0",
    "1 @ 0",
    "'a' * 0",
    "'a' * -1",
    "'' * -1",
    "() * -1",
    "(1,) * -1",
    "b'a' * -1",
    "'a' * True",
    "'ab' * 2048",
    "'ab' * 2049",
    "'' + ''",
    "() + ()",
    "(0,)[0]",
    "'abc'[0]",
    "'abc'[5:]",
    "''[0:]",
    "(1, 2)[5]",
    "'%s' % ''",
    "0 and x",
    "1 or x",
    "2 > 3",
    "0 if 1 else 1",
    "18446744073709551616",
    "18446744073709551616 - 18446744073709551616",
    "2 ** 64 - 2 ** 64",
    "2 ** 126 * 2 - 2 ** 127",
    "2 ** 100 - 2 ** 100",
    "2 ** 200 - 2 ** 200",
    "10 ** 38 * 0",
    "f''",
    "u''",
    "r''",
    "'' 'a'",
];

/// How a fold test guards the statement (`TEST` is replaced by the test).
const FOLD_SHAPES: &[(&str, &str)] = &[
    ("body", "if TEST:\n"),
    ("else", "if TEST:\n    pass\nelse:\n"),
    ("while", "while TEST:\n"),
    ("elif", "if c1:\n    pass\nelif TEST:\n"),
    ("after-true-elif", "if TEST:\n    pass\nelif c1:\n"),
];

/// What the fold tests guard: (context, id, statement).
const FOLD_STATEMENTS: &[(&str, &str, &str)] = &[
    ("def", "await", "await x"),
    ("def", "lcomp-async", "z = [a async for a in b]"),
    ("module", "async-with", "async with b:\n    pass"),
    ("agen", "return-value", "return 1"),
];

const FUTURE_HEADER: &str = "from __future__ import annotations\n";

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + by * 4);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The statement holding the hole, for `context` (`None` if the position does not fit).
fn position_statement(context: &Context, position: &Position) -> Option<String> {
    if position.needs_function && !context.function {
        return None;
    }
    if context.lambda {
        return position.expr.map(|e| format!("z = lambda: {e}"));
    }
    Some(match (position.stmt, position.expr) {
        (Some(s), _) => s.to_string(),
        (None, Some(e)) => format!("z = {e}"),
        (None, None) => unreachable!("a position has a template"),
    })
}

#[derive(Clone, Copy)]
struct Layout<'a> {
    future: bool,
    /// Wrapped around the statement: (header, footer).
    inner: Option<(&'a str, &'a str)>,
    /// Wrapped around the whole program.
    outer: Option<&'a str>,
}

const PLAIN: Layout<'static> = Layout {
    future: false,
    inner: None,
    outer: None,
};

fn assemble(context: &Context, statement: &str, layout: Layout) -> String {
    let mut body = statement.to_string();
    if let Some((header, footer)) = layout.inner {
        body = format!("{header}{}{footer}", indent(&body, 4));
    }
    let mut program = format!("{}{}", context.header, indent(&body, context.indent));
    if let Some(header) = layout.outer {
        program = format!("{header}{}", indent(&program, 4));
    }
    if layout.future {
        program.insert_str(0, FUTURE_HEADER);
    }
    program
}

/// A file-name-friendly spelling of a fold test (`1 / 2` → `1-div-2`).
fn slug(test: &str) -> String {
    let mut out = String::new();
    for c in test.chars() {
        let word = match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => {
                out.push(c);
                continue;
            }
            ' ' => continue,
            '.' => "dot",
            '\'' => "q",
            '(' => "lp",
            ')' => "rp",
            '[' => "lb",
            ']' => "rb",
            ',' => "comma",
            ':' => "colon",
            '+' => "plus",
            '-' => "minus",
            '*' => "star",
            '/' => "div",
            '%' => "mod",
            '~' => "inv",
            '<' => "lt",
            '>' => "gt",
            '&' => "and",
            '|' => "or",
            '^' => "xor",
            '@' => "at",
            _ => "x",
        };
        if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        out.push_str(word);
        out.push('-');
    }
    out.trim_end_matches('-').chars().take(40).collect()
}

fn context_by_id(id: &str) -> &'static Context {
    CONTEXTS
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no context {id}"))
}

/// Collects generated programs, each text once.
#[derive(Default)]
struct Generated {
    programs: Vec<Program>,
    seen: HashSet<String>,
}

impl Generated {
    fn add(&mut self, name: &str, text: String) {
        if self.seen.insert(text.clone()) {
            self.programs.push(Program {
                name: format!("gen_{name}.py"),
                bytes: text.into_bytes(),
                origin: Origin::Generated,
            });
        }
    }

    /// The statement as is, then inside each dead-code wrapper.
    fn add_with_dead_code(&mut self, stem: &str, context: &Context, statement: &str) {
        self.add(stem, assemble(context, statement, PLAIN));
        for (wrapper, header) in DEAD_WRAPPERS {
            let layout = Layout {
                inner: Some((header, "")),
                ..PLAIN
            };
            self.add(
                &format!("{stem}__{wrapper}"),
                assemble(context, statement, layout),
            );
        }
        let (wrapper, header) = OUTER_DEAD_WRAPPER;
        let layout = Layout {
            outer: Some(header),
            ..PLAIN
        };
        self.add(
            &format!("{stem}__{wrapper}"),
            assemble(context, statement, layout),
        );
    }
}

/// Contexts × positions × constructs, with the `__future__` and dead-code variants; the
/// extra constructs at a few positions; statement constructs in compound statements and
/// dead code; and the 3.7 constant-folding family. Identical texts are generated once.
fn generate_programs() -> Vec<Program> {
    let mut generated = Generated::default();

    for context in CONTEXTS {
        for position in POSITIONS {
            if !context.full && !LIGHT_POSITIONS.contains(&position.id) {
                continue;
            }
            let Some(template) = position_statement(context, position) else {
                continue;
            };
            // The future import matters for annotations; elsewhere it is tried at a few
            // positions (it shifts every line and must change nothing else).
            let future = ANNOTATION_POSITIONS.contains(&position.id)
                || (context.full && FUTURE_CONTROL_POSITIONS.contains(&position.id));
            let dead_code = context.full && DEAD_CODE_POSITIONS.contains(&position.id);
            let mut constructs: Vec<&(&str, &str)> = CONSTRUCTS.iter().collect();
            if context.full && EXTRA_POSITIONS.contains(&position.id) {
                constructs.extend(EXTRA_CONSTRUCTS);
            }
            for (construct_id, construct) in constructs {
                let statement = template.replace("HOLE", construct);
                let stem = format!("{}__{}__{construct_id}", context.id, position.id);
                if dead_code {
                    generated.add_with_dead_code(&stem, context, &statement);
                } else {
                    generated.add(&stem, assemble(context, &statement, PLAIN));
                }
                if future {
                    let layout = Layout {
                        future: true,
                        ..PLAIN
                    };
                    generated.add(
                        &format!("{stem}__future"),
                        assemble(context, &statement, layout),
                    );
                }
            }
        }

        if context.lambda {
            continue;
        }
        for (construct_id, statement) in STATEMENT_CONSTRUCTS {
            let stem = format!("{}__{construct_id}", context.id);
            generated.add_with_dead_code(&stem, context, statement);
            for (wrapper, header, footer) in STATEMENT_WRAPPERS {
                let layout = Layout {
                    inner: Some((header, footer)),
                    ..PLAIN
                };
                generated.add(
                    &format!("{stem}__{wrapper}"),
                    assemble(context, statement, layout),
                );
            }
        }
    }

    for (index, test) in FOLD_TESTS.iter().enumerate() {
        for (shape_id, shape) in FOLD_SHAPES {
            let header = shape.replace("TEST", test);
            for (context_id, statement_id, statement) in FOLD_STATEMENTS {
                let context = context_by_id(context_id);
                let layout = Layout {
                    inner: Some((&header, "")),
                    ..PLAIN
                };
                generated.add(
                    &format!(
                        "fold{index:02}-{}__{shape_id}__{context_id}__{statement_id}",
                        slug(test)
                    ),
                    assemble(context, statement, layout),
                );
            }
        }
    }
    generated.programs
}

// ---------------------------------------------------------------------------------------
// Running CPython and asynclint
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Verdict {
    Accepted,
    Rejected {
        message: String,
        line: Option<i64>,
        column: Option<i64>,
    },
    /// The interpreter died on this file (no verdict).
    Crashed(String),
}

impl Verdict {
    fn describe(&self) -> String {
        match self {
            Verdict::Accepted => "OK".to_string(),
            Verdict::Rejected {
                message,
                line,
                column,
            } => {
                let at = |n: &Option<i64>| n.map_or("None".to_string(), |n| n.to_string());
                format!("{message} ({}:{})", at(line), at(column))
            }
            Verdict::Crashed(why) => format!("interpreter crashed: {why}"),
        }
    }
}

struct Diagnostic {
    code: String,
    row: i64,
    column: i64,
    end_row: i64,
    end_column: i64,
    message: String,
}

impl Diagnostic {
    fn is_async_rule(&self) -> bool {
        self.code
            .strip_prefix("AL")
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (1..=13).contains(&n))
    }

    fn describe(&self) -> String {
        format!(
            "{} {}:{}-{}:{} {}",
            self.code, self.row, self.column, self.end_row, self.end_column, self.message
        )
    }
}

struct VersionResult {
    verdicts: HashMap<String, Verdict>,
    /// asynclint's compile-level diagnostics (see [`is_compile_level`]), by file name.
    diagnostics: HashMap<String, Vec<Diagnostic>>,
    /// How many lint findings (not compile errors) asynclint reported; not compared.
    lint_findings: usize,
}

/// The diagnostics this test compares: AL000 (syntax), AL001-AL099 (what CPython refuses to
/// compile) and AL9xx (I/O and internal errors). asynclint's other rules (AL1xx, ASYNCxxx)
/// report runtime bugs in code CPython compiles: CPython has no verdict on them.
fn is_compile_level(code: &str) -> bool {
    code.starts_with("AL0") || code.starts_with("AL9")
}

fn verdict_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/verdict.py")
}

/// CPython's verdict on every file, in batches that keep command lines short. If the
/// interpreter dies, the first file it did not answer for is recorded as the culprit and
/// the rest is retried.
fn run_verdicts(
    interpreter: &Interpreter,
    dir: &Path,
    names: &[String],
) -> HashMap<String, Verdict> {
    let script = verdict_script();
    let mut verdicts = HashMap::with_capacity(names.len());
    let mut pending = names;
    while !pending.is_empty() {
        let mut batch = 0;
        let mut bytes = 0;
        while batch < pending.len()
            && (batch == 0 || bytes + pending[batch].len() < MAX_BATCH_ARG_BYTES)
        {
            bytes += pending[batch].len() + 1;
            batch += 1;
        }
        let output = Command::new(&interpreter.path)
            .arg("-I")
            .arg(&script)
            .args(&pending[..batch])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", interpreter.path.display()));
        let stdout = String::from_utf8(output.stdout).expect("verdict.py prints UTF-8");
        let mut answered = 0;
        for line in stdout.lines() {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("verdict.py printed {line:?}: {e}"));
            let path = value["path"].as_str().expect("verdict has a path");
            assert_eq!(path, pending[answered], "verdict.py answered out of order");
            let verdict = if value["ok"].as_bool().expect("verdict has ok") {
                Verdict::Accepted
            } else {
                Verdict::Rejected {
                    message: value["msg"].as_str().unwrap_or_default().to_string(),
                    line: value["line"].as_i64(),
                    column: value["col"].as_i64(),
                }
            };
            verdicts.insert(path.to_string(), verdict);
            answered += 1;
        }
        if answered < batch {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
            println!(
                "CPython {} stopped at {} ({}): {tail}",
                interpreter.version, pending[answered], output.status
            );
            verdicts.insert(
                pending[answered].clone(),
                Verdict::Crashed(format!("{}: {tail}", output.status)),
            );
            pending = &pending[answered + 1..];
        } else {
            assert!(
                output.status.success(),
                "verdict.py failed on CPython {}: {}",
                interpreter.version,
                String::from_utf8_lossy(&output.stderr)
            );
            pending = &pending[batch..];
        }
    }
    verdicts
}

/// The options, among `--no-cache` (no cache of clean files: it would be written into the
/// working directory, and its key costs time quadratic in the number of files) and
/// `--isolated` (no configuration file), that this asynclint has. The working directory is
/// the temporary one too, so that nothing is ever written into the repository.
fn asynclint_isolation_flags() -> Vec<&'static str> {
    let help = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .expect("run asynclint --help");
    let help = String::from_utf8_lossy(&help.stdout);
    ["--no-cache", "--isolated"]
        .into_iter()
        .filter(|flag| help.contains(flag))
        .collect()
}

/// asynclint's compile-level diagnostics for every file of `dir`, by file name, and the
/// number of other (lint) findings.
fn run_asynclint(
    minor: u32,
    dir: &Path,
    flags: &[&str],
) -> (HashMap<String, Vec<Diagnostic>>, usize) {
    let output = Command::new(env!("CARGO_BIN_EXE_asynclint"))
        .args(["--target-version", &format!("py3{minor}")])
        .args(["--output-format", "json"])
        .args(flags)
        .arg(dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run asynclint");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "asynclint --target-version py3{minor} exited with {}: {stderr}",
        output.status
    );
    if !stderr.trim().is_empty() {
        println!("asynclint py3{minor} stderr: {}", stderr.trim());
    }
    let values: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("asynclint py3{minor} printed no JSON array ({e}); stderr: {stderr}")
    });
    let mut by_file: HashMap<String, Vec<Diagnostic>> = HashMap::new();
    let mut lint_findings = 0;
    for value in values {
        let code = value["code"].as_str().unwrap_or_default();
        if !is_compile_level(code) {
            lint_findings += 1;
            continue;
        }
        let filename = value["filename"].as_str().unwrap_or_default();
        let name = Path::new(filename)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let number = |v: &Value| v.as_i64().unwrap_or(-1);
        by_file.entry(name).or_default().push(Diagnostic {
            code: code.to_string(),
            row: number(&value["location"]["row"]),
            column: number(&value["location"]["column"]),
            end_row: number(&value["end_location"]["row"]),
            end_column: number(&value["end_location"]["column"]),
            message: value["message"].as_str().unwrap_or_default().to_string(),
        });
    }
    (by_file, lint_findings)
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

/// CPython's async/yield compile errors (the ones asynclint's AL001-AL013 model):
/// `'await' outside`, `'async for' outside`, `'async with' outside`, `asynchronous
/// comprehension outside`, `'yield from' inside async`, `'return' with value in async
/// generator`, `'yield' inside`, `'yield' outside function`, `'yield from' outside function`
/// and `(await|yield) expression'? can ?not be used within`.
fn is_async_message(message: &str) -> bool {
    const FRAGMENTS: &[&str] = &[
        "'await' outside",
        "'async for' outside",
        "'async with' outside",
        "asynchronous comprehension outside",
        "'yield from' inside async",
        "'return' with value in async generator",
        "'yield' inside",
        "'yield' outside function",
        // Not in the brief's list, but 3.13's wording for `yield from` at module or class
        // level (older versions say "'yield' outside function" for both).
        "'yield from' outside function",
    ];
    FRAGMENTS.iter().any(|f| message.contains(f)) || cannot_be_used_within(message)
}

/// `(await|yield) expression'? can ?not be used within`
fn cannot_be_used_within(message: &str) -> bool {
    ["await expression", "yield expression"]
        .iter()
        .any(|subject| {
            message.match_indices(subject).any(|(at, _)| {
                let rest = &message[at + subject.len()..];
                let rest = rest.strip_prefix('\'').unwrap_or(rest);
                rest.strip_prefix(" can")
                    .map(|rest| rest.strip_prefix(' ').unwrap_or(rest))
                    .is_some_and(|rest| rest.starts_with("not be used within"))
            })
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum MismatchKind {
    /// CPython accepts; asynclint reports something.
    FalseAlarm,
    /// CPython rejects (async/yield); asynclint reports no AL001-AL013.
    Missed,
    /// Both reject, but no AL001-AL013 diagnostic is on CPython's line.
    WrongLine,
}

impl MismatchKind {
    fn short(self) -> &'static str {
        match self {
            MismatchKind::FalseAlarm => "false-alarm",
            MismatchKind::Missed => "missed",
            MismatchKind::WrongLine => "wrong-line",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            MismatchKind::FalseAlarm => "false alarm: CPython accepts",
            MismatchKind::Missed => "missed: CPython rejects, asynclint reports no AL001-AL013",
            MismatchKind::WrongLine => "wrong line: no AL001-AL013 diagnostic on CPython's line",
        }
    }
}

#[derive(Default)]
struct Counts {
    programs: usize,
    accepted: usize,
    rejected_async: usize,
    rejected_other: usize,
    crashed: usize,
    mismatches: usize,
    known: usize,
    lint_findings: usize,
}

/// One file's mismatches: (minor version, kind, the known-disagreement reason if listed).
type FileMismatches = Vec<(u32, MismatchKind, Option<&'static str>)>;

#[derive(Default)]
struct Comparison {
    counts: BTreeMap<u32, Counts>,
    /// file name → its mismatches
    mismatches: BTreeMap<String, FileMismatches>,
    /// Known-disagreement entries that matched nothing on a tested version.
    stale: Vec<(&'static str, &'static str)>,
}

fn compare(programs: &[Program], results: &BTreeMap<u32, VersionResult>) -> Comparison {
    let mut comparison = Comparison::default();
    let mut used_known = HashSet::new();
    let no_diagnostics = Vec::new();
    for (&minor, result) in results {
        let counts = comparison.counts.entry(minor).or_default();
        counts.lint_findings = result.lint_findings;
        let version = format!("3.{minor}");
        for program in programs {
            let name = &program.name;
            counts.programs += 1;
            let ours = result.diagnostics.get(name).unwrap_or(&no_diagnostics);
            let verdict = result
                .verdicts
                .get(name)
                .unwrap_or_else(|| panic!("no CPython {version} verdict for {name}"));
            let kind = match verdict {
                Verdict::Accepted => {
                    counts.accepted += 1;
                    (!ours.is_empty()).then_some(MismatchKind::FalseAlarm)
                }
                Verdict::Rejected { message, line, .. } if is_async_message(message) => {
                    counts.rejected_async += 1;
                    let mut async_rows = ours.iter().filter(|d| d.is_async_rule()).map(|d| d.row);
                    match line {
                        _ if !ours.iter().any(Diagnostic::is_async_rule) => {
                            Some(MismatchKind::Missed)
                        }
                        Some(line) if *line > 0 && !async_rows.any(|row| row == *line) => {
                            Some(MismatchKind::WrongLine)
                        }
                        _ => None,
                    }
                }
                Verdict::Rejected { .. } => {
                    counts.rejected_other += 1;
                    None
                }
                Verdict::Crashed(_) => {
                    counts.crashed += 1;
                    None
                }
            };
            let Some(kind) = kind else { continue };
            let known = KNOWN_DISAGREEMENTS
                .iter()
                .find(|(file, v, _)| file == name && *v == version);
            if let Some(entry) = known {
                used_known.insert((entry.0, entry.1));
                counts.known += 1;
            } else {
                counts.mismatches += 1;
            }
            comparison
                .mismatches
                .entry(name.clone())
                .or_default()
                .push((minor, kind, known.map(|(_, _, why)| *why)));
        }
    }
    for (file, version, _) in KNOWN_DISAGREEMENTS {
        let tested = results.keys().any(|minor| format!("3.{minor}") == *version);
        if tested && !used_known.contains(&(*file, *version)) {
            comparison.stale.push((file, version));
        }
    }
    comparison
}

impl Comparison {
    fn unexplained_count(&self) -> usize {
        self.counts.values().map(|c| c.mismatches).sum()
    }

    fn files_with_mismatches(&self) -> usize {
        self.mismatches
            .values()
            .filter(|v| v.iter().any(|(_, _, known)| known.is_none()))
            .count()
    }

    fn failures(&self) -> usize {
        self.unexplained_count() + self.stale.len()
    }

    fn report(&self, programs: &[Program], results: &BTreeMap<u32, VersionResult>) -> String {
        let mut out = String::new();
        let by_name: HashMap<&str, &Program> =
            programs.iter().map(|p| (p.name.as_str(), p)).collect();
        let no_diagnostics = Vec::new();

        // Mismatches, unexplained first, grouped by file with every version's verdicts.
        let mut entries: Vec<_> = self.mismatches.iter().collect();
        entries.sort_by_key(|(name, list)| {
            (
                list.iter().all(|(_, _, known)| known.is_some()),
                name.to_string(),
            )
        });
        for (name, list) in entries {
            let unexplained: BTreeSet<u32> = list
                .iter()
                .filter(|(_, _, known)| known.is_none())
                .map(|(minor, _, _)| *minor)
                .collect();
            let versions: Vec<String> = list.iter().map(|(m, _, _)| format!("3.{m}")).collect();
            let label = if unexplained.is_empty() {
                "KNOWN DISAGREEMENT"
            } else {
                "MISMATCH"
            };
            let _ = writeln!(out, "\n=== {label}: {name} on {}", versions.join(", "));
            let text = String::from_utf8_lossy(&by_name[name.as_str()].bytes).into_owned();
            for (i, line) in text.lines().enumerate() {
                let _ = writeln!(out, "    {:>2} | {line}", i + 1);
            }
            for (&minor, result) in results {
                let verdict = result.verdicts[name.as_str()].describe();
                let ours = result
                    .diagnostics
                    .get(name.as_str())
                    .unwrap_or(&no_diagnostics);
                let ours = if ours.is_empty() {
                    "nothing".to_string()
                } else {
                    ours.iter()
                        .map(Diagnostic::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let marker = list
                    .iter()
                    .find(|(m, _, _)| *m == minor)
                    .map(|(_, kind, known)| match known {
                        Some(why) => format!("  <-- known: {} ({why})", kind.describe()),
                        None => format!("  <-- {}", kind.describe()),
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    3.{minor:<2} CPython: {verdict}\n          asynclint: {ours}{marker}"
                );
            }
        }
        if !self.mismatches.is_empty() {
            let _ = writeln!(out, "\nmismatches by file:");
            for (name, list) in &self.mismatches {
                let versions: Vec<String> = list
                    .iter()
                    .map(|(minor, kind, known)| {
                        let known = if known.is_some() { " (known)" } else { "" };
                        format!("3.{minor} {}{known}", kind.short())
                    })
                    .collect();
                let _ = writeln!(out, "    {name}: {}", versions.join(", "));
            }
        }
        for (file, version) in &self.stale {
            let _ = writeln!(
                out,
                "\n=== STALE KNOWN DISAGREEMENT: {file} on {version} now agrees (or is gone): \
                 remove it from KNOWN_DISAGREEMENTS"
            );
        }

        let _ = writeln!(out, "\nsummary:");
        let _ = writeln!(
            out,
            "    version  programs  accepted  rejected-async  rejected-other  crashed  mismatches  known  lint-findings"
        );
        for (minor, c) in &self.counts {
            let _ = writeln!(
                out,
                "    3.{minor:<6} {:>8}  {:>8}  {:>14}  {:>14}  {:>7}  {:>10}  {:>5}  {:>13}",
                c.programs,
                c.accepted,
                c.rejected_async,
                c.rejected_other,
                c.crashed,
                c.mismatches,
                c.known,
                c.lint_findings
            );
        }
        let _ = writeln!(
            out,
            "    rejected-other: CPython rejects for a reason other than the async/yield rules (not \
             compared)\n    crashed: the interpreter died on the file (not compared)\n    \
             lint-findings: asynclint diagnostics outside AL0xx/AL9xx, runtime-bug lints CPython \
             has no verdict on (not compared)"
        );
        out
    }
}
