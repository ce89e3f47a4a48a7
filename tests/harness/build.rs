//! The spec runner `dlopen`s shared objects whose references to the runtime (`wasmaot_rt_*`)
//! bind to the runner itself: export every global symbol of the test binaries.

fn main() {
    println!("cargo:rustc-link-arg-bins=-rdynamic");
}
