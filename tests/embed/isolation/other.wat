;; isolation's module B: its own counter, a function of another shape, and a host function
;; that is linked into its static library (`--link other_host.c`).
(module
  (import "env" "other_tag" (func $tag (result i32)))
  (memory (export "memory") 1)
  (func (export "tag") (result i32) (call $tag))
  (func (export "bump") (result i32)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.load (i32.const 0)))
  (func (export "mul") (param i64 f64) (result f64)
    (f64.mul (f64.convert_i64_s (local.get 0)) (local.get 1))))
