//! Embeds the seed programs of the structured target: every `.py` file under
//! `../fixtures/` and `../tests/differential/cases/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(directory: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "py") {
            files.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for directory in ["fixtures", "tests/differential/cases"] {
        let directory = root.join(directory);
        println!("cargo:rerun-if-changed={}", directory.display());
        collect(&directory, &mut files);
    }
    files.sort();
    let mut code = String::from("pub static SEEDS: &[&str] = &[\n");
    for file in &files {
        let path = file.canonicalize().expect("seed path");
        // Seeds that are not UTF-8 (encoding fixtures) would not `include_str!`.
        if std::fs::read_to_string(&path).is_ok() {
            writeln!(code, "    include_str!({:?}),", path.display().to_string()).unwrap();
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("seeds.rs");
    std::fs::write(out, code).expect("write seeds.rs");
}
