//! `bad-input/panic-in-function/*` cases: a panic while compiling one function (injected by the
//! compiler's test hook `WASMAOT_TEST_PANIC_IN_FUNCTION`, see `compiler/src/codegen/guard.rs`)
//! must end the real `wasmaot` binary with one `error: <file>: function <index> (<name>) at
//! offset 0x..: ...` line and exit status 1, leaving no output file and no temporary beside
//! it, whatever the number of compile threads.
//!
//! Must never pass when the compile succeeded: the hook only fires for a function that exists,
//! and the case checks that the error names it.

use std::ffi::OsString;
use std::fs;
use std::time::Duration;

use wasmaot_tests::{Invocation, run};

use super::{Case, case, check_compile_error, wasmaot_only};

/// Three functions with names; function 1 (`$second`) has its body at offset 0x2d.
const MODULE: &str = r#"(module
  (func $first (result i32) i32.const 1)
  (func $second (result i32) i32.const 2)
  (func $third (export "_start") (drop (call $first)) (drop (call $second))))"#;

pub(super) fn guard_cases(cases: &mut Vec<Case>) {
    for (index, name, offset, jobs) in [
        (1, "second", "0x2d", "1"),
        (1, "second", "0x2d", "2"),
        (2, "third", "0x32", "2"),
    ] {
        let case_name = format!("bad-input/panic-in-function/{index}-jobs-{jobs}");
        let scratch_name = case_name.replace('/', "-");
        cases.push(case(case_name, move |ctx| {
            wasmaot_only(ctx, || {
                let scratch = ctx.scratch(&scratch_name)?;
                let input = scratch.path().join("three.wat");
                fs::write(&input, MODULE)?;
                let output = scratch.path().join("three.exe");
                let mut inv = Invocation::new(&ctx.tools.wasmaot)
                    .arg(&input)
                    .args(["-o".into(), OsString::from(&output)])
                    .args(["--jobs", jobs])
                    .timeout(Duration::from_secs(300));
                inv.env = vec![(
                    "WASMAOT_TEST_PANIC_IN_FUNCTION".to_string(),
                    index.to_string(),
                )];
                let out = run(&inv)?;
                let mut problems = Vec::new();
                let needle = format!("three.wat: function {index} ({name}) at offset {offset}: internal compiler error");
                check_compile_error(&mut problems, &out, &output, &input, &[&needle], true);
                let left: Vec<String> = fs::read_dir(scratch.path())?
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != "three.wat")
                    .collect();
                if !left.is_empty() {
                    problems.push(format!("left beside the output: {left:?}"));
                }
                Ok(problems)
            })
        }));
    }
}
