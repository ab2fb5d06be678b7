//! The parse floor: what linting cannot go below. Reads, decodes and parses every Python
//! file under the given paths, walks each tree once and drops it — no scope model, no
//! rules, no output. `scripts/bench.sh` times it beside asynclint and ruff.
//!
//! `cargo bench --bench parse_floor -- [-j N] PATH...` prints the number of files, bytes
//! and tree nodes it saw (so that the work cannot be optimised away).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use ruff_python_ast::AnyNodeRef;
use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_parser::{Mode, ParseOptions, parse_unchecked};

struct Count(usize);

impl<'a> SourceOrderVisitor<'a> for Count {
    fn enter_node(&mut self, _: AnyNodeRef<'a>) -> TraversalSignal {
        self.0 += 1;
        TraversalSignal::Traverse
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
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
    // The same walk asynclint does: .gitignore honoured, default directories excluded.
    let mut files = Vec::new();
    for path in &paths {
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
