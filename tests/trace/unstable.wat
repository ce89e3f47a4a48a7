;; A `wasi_unstable` (snapshot 0) module for the trace golden test (`e2e trace/unstable`): its
;; calls are traced under the same names, and snapshot 0's fd_seek whence (CUR = 0) by name.
(module
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\64\00\00\00\03\00\00\00")
  (data (i32.const 100) "ok\n")
  (func (export "_start")
    (drop (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 32)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
