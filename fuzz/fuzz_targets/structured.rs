//! Python-like programs, generated from a grammar of async constructs or mutated from the
//! seed programs of `fixtures/` and `tests/differential/cases/`, through the whole per-file
//! pipeline and every renderer. With `ASYNCLINT_FUZZ_PRINT` set, each program is printed
//! (to turn a crash input into a regression file: see docs/fuzzing.md).
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&setup, rest)) = data.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    let Ok(program) = asynclint_fuzz::generate::program(&mut u) else {
        return;
    };
    let setup = asynclint_fuzz::Setup::from_byte(setup);
    if std::env::var_os("ASYNCLINT_FUZZ_PRINT").is_some() {
        eprintln!("setup byte {:#04x} = {setup:?}\n{program}", data[0]);
    }
    asynclint_fuzz::run(program.as_bytes(), setup);
});
