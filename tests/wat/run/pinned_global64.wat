;; The pinned global as an i64 (a memory64 program's stack pointer): the full 64 bits survive
;; the register, from the start function to `_start`, across calls and a WASI call, and the
;; upper half is not lost to a 32-bit view. Exits with the number of the first wrong result;
;; prints "ok" otherwise.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "ok\n")
  (global $sp (mut i64) (i64.const 0))

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))
  (func $init (global.set $sp (i64.const 0x1234_5678_9abc_def0)))
  (func $down (param $by i64)
    (global.set $sp (i64.sub (global.get $sp) (local.get $by))))
  (func $up (param $by i64)
    (global.set $sp (i64.add (global.get $sp) (local.get $by))))
  (func $get (result i64) (global.get $sp))

  (func (export "_start")
    (call $check (i64.eq (call $get) (i64.const 0x1234_5678_9abc_def0)) (i32.const 1))
    (call $down (i64.const 0x1_0000_0000))
    (call $check (i64.eq (global.get $sp) (i64.const 0x1234_5677_9abc_def0)) (i32.const 2))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $up (i64.const 0x1_0000_0000))
    (call $check (i64.eq (global.get $sp) (i64.const 0x1234_5678_9abc_def0)) (i32.const 3))
    (global.set $sp (i64.const -1))
    (call $check (i64.eq (call $get) (i64.const -1)) (i32.const 4)))

  (start $init))
