;; Writes to stdout and stderr, then proc_exit(7): the executable exits with status 7.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "to stdout\n")
  (data (i32.const 48) "to stderr\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $main (export "_start")
    (call $write (i32.const 1) (i32.const 32) (i32.const 10))
    (call $write (i32.const 2) (i32.const 48) (i32.const 10))
    (call $proc_exit (i32.const 7))
    unreachable))
