//! Arbitrary bytes through the whole per-file pipeline and every renderer. The last byte
//! also chooses the setup (target version, plain file or notebook, colour, statistics,
//! fixing): see `asynclint_fuzz::Setup::from_byte`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let setup = asynclint_fuzz::Setup::from_byte(data.last().copied().unwrap_or(0));
    asynclint_fuzz::run(data, setup);
});
