//! The parse floor: what linting cannot go below. Reads, decodes and parses every Python
//! file under the given paths, walks each tree once and drops it — no scope model, no
//! rules, no output. `scripts/bench.sh` times it beside asynclint and ruff.
//!
//! `cargo bench --bench parse_floor -- [-j N] PATH...` prints the number of files, bytes
//! and tree nodes it saw (so that the work cannot be optimised away).
//!
//! `cargo bench --bench parse_floor -- --facts [-j N] PATH...` measures instead the
//! project-wide facts asynclint keeps for its phase 2: it lints every file with the
//! library's public API (the settings of the closest configuration, as the command line
//! does, module names from `__init__.py` chains), serializes each file's `ModuleFacts`
//! with serde_json and prints their total size and bytes per file. That is the size of
//! the facts as JSON (as the cache stores them), not their size in memory.
//!
//! It uses asynclint's allocator setup (mimalloc, freed pages kept) so that the floor
//! and asynclint differ by their work, not by their allocator.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use ruff_python_ast::AnyNodeRef;
use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, as set by asynclint's `main`.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

struct Count(usize);

impl<'a> SourceOrderVisitor<'a> for Count {
    fn enter_node(&mut self, _: AnyNodeRef<'a>) -> TraversalSignal {
        self.0 += 1;
        TraversalSignal::Traverse
    }
}

fn main() {
    // SAFETY: sets a process-wide allocator option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let facts = args.iter().any(|a| a == "--facts");
    args.retain(|a| a != "--facts");
    let mut threads = std::thread::available_parallelism().map_or(1, usize::from);
    if let Some(i) = args.iter().position(|a| a == "-j") {
        threads = args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(threads);
        args.drain(i..(i + 2).min(args.len()));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(16 << 20)
        .build_global()
        .expect("thread pool");
    let paths: Vec<PathBuf> = if args.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let files = walk(&paths);
    if facts {
        if let Err(message) = measure_facts(files) {
            eprintln!("parse_floor: {message}");
            std::process::exit(1);
        }
        return;
    }
    let (bytes, nodes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    files.par_iter().for_each(|path| {
        let Ok(data) = std::fs::read(path) else {
            return;
        };
        bytes.fetch_add(data.len(), Ordering::Relaxed);
        let Ok(text) = asynclint::source::decode(data) else {
            return;
        };
        let parsed = parse_unchecked(&text, ParseOptions::from(Mode::Module));
        let mut count = Count(0);
        if let Some(module) = parsed.syntax().as_module() {
            count.visit_body(&module.body);
        }
        nodes.fetch_add(count.0, Ordering::Relaxed);
    });
    println!(
        "{} files, {} bytes, {} nodes",
        files.len(),
        bytes.load(Ordering::Relaxed),
        nodes.load(Ordering::Relaxed)
    );
}

/// The same walk asynclint does: .gitignore honoured, default directories excluded.
fn walk(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .require_git(false)
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| asynclint::discovery::DEFAULT_EXCLUDES.contains(&name))
            })
            .build();
        for entry in walker.flatten() {
            let path = entry.into_path();
            if path.is_file() && asynclint::discovery::has_python_extension(&path) {
                files.push(path);
            }
        }
    }
    files
}

/// `--facts`: lints every file as `asynclint` would (phase 1 only) and prints the size of
/// the module facts kept for phase 2, serialized as JSON.
fn measure_facts(files: Vec<PathBuf>) -> Result<(), String> {
    use asynclint::config::{CliOverrides, Resolver};
    use asynclint::linter::lint_bytes;

    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let resolver = Resolver::new(CliOverrides::default(), cwd).map_err(|e| e.to_string())?;
    let jobs = asynclint::run::plan(&resolver, files)?;
    let nfiles = jobs.len();
    let bytes = AtomicUsize::new(0);
    let modules = AtomicUsize::new(0);
    let definitions = AtomicUsize::new(0);
    let json = AtomicUsize::new(0);
    let largest = AtomicUsize::new(0);
    jobs.into_par_iter().for_each(|(path, options)| {
        let Ok(data) = std::fs::read(&path) else {
            return;
        };
        bytes.fetch_add(data.len(), Ordering::Relaxed);
        let linted = lint_bytes(data, &options);
        if let Some(facts) = &linted.project.facts {
            let size = serde_json::to_vec(facts).map_or(0, |v| v.len());
            modules.fetch_add(1, Ordering::Relaxed);
            definitions.fetch_add(facts.definitions.len(), Ordering::Relaxed);
            json.fetch_add(size, Ordering::Relaxed);
            largest.fetch_max(size, Ordering::Relaxed);
        }
    });
    let json = json.load(Ordering::Relaxed);
    println!(
        "{nfiles} files, {} bytes, {} modules with facts, {} definitions, \
         {json} bytes of facts as JSON, {:.0} bytes/file, largest {} bytes",
        bytes.load(Ordering::Relaxed),
        modules.load(Ordering::Relaxed),
        definitions.load(Ordering::Relaxed),
        json as f64 / nfiles.max(1) as f64,
        largest.load(Ordering::Relaxed),
    );
    Ok(())
}
