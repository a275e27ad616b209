//! Arbitrary bytes as a TOML and as a JSON problem file: parsing and
//! validation must end in a problem or in located errors (exit status 2),
//! never a panic, a hang or a huge allocation; a valid problem's size
//! estimate must match the LP built from it.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["fuzz.toml", "fuzz.json"] {
        match allot::load_str(&text, name) {
            Ok(problem) => {
                let estimate = allot::size::estimate(&problem);
                if estimate.nonzeros < 100_000 {
                    let model = allot::model::build(&problem);
                    assert_eq!(estimate.variables, model.lp.cols.len() as u64);
                    assert!(estimate.rows >= model.lp.rows.len() as u64);
                    assert!(estimate.nonzeros >= model.lp.nonzeros() as u64);
                }
            }
            Err(e) => {
                assert_eq!(e.exit_code(), 2, "{e}");
                // Rendering the message (snippets, carets) must not panic either.
                assert!(e.to_string().starts_with("error: "));
            }
        }
    }
});
