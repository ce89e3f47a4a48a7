;; `wasmaot run` check (tests/harness/src/bin/wasi.rs, run/max-memory-wat): two pages at start,
;; then memory.grow by 3; exits with 100 + memory.grow's result. Under a 128 KiB limit the grow
;; fails (exit 99); under 64 KiB the module cannot start (`exceeds memory limits`, status 1);
;; without a limit it exits with 102.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (call $proc_exit (i32.add (i32.const 100) (memory.grow (i32.const 3))))))
