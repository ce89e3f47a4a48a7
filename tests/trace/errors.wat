;; WASI calls that fail, and a few that succeed, for the trace golden test (`e2e trace/errors`,
;; tests/harness/src/bin/e2e/trace.rs): errno names, flags by name, a bad pointer, out-values.
;; Runs with this folder's scratch copy preopened as fd 3.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec {300, 8} at 16; paths at 100 and 200; data at 300.
  (data (i32.const 16) "\2c\01\00\00\08\00\00\00")
  (data (i32.const 100) "missing.txt")
  (data (i32.const 200) "out \"1\".txt")
  (data (i32.const 300) "written\n")
  (func (export "_start")
    ;; A missing file: noent.
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 11)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
    ;; A bad fd: badf (the data is shown all the same).
    (drop (call $fd_write (i32.const 42) (i32.const 16) (i32.const 1) (i32.const 24)))
    ;; Create a file: success and the opened fd.
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11)
      (i32.const 9) (i64.const 0x1fffffff) (i64.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_write (i32.load (i32.const 8)) (i32.const 16) (i32.const 1) (i32.const 24)))
    ;; Back to the start (whence by name) and read it back into 400.
    (drop (call $fd_seek (i32.load (i32.const 8)) (i64.const 0) (i32.const 0) (i32.const 32)))
    (i32.store (i32.const 16) (i32.const 400))
    (drop (call $fd_read (i32.load (i32.const 8)) (i32.const 16) (i32.const 1) (i32.const 24)))
    ;; An iovec array outside memory: fault, shown as a bad pointer.
    (drop (call $fd_write (i32.const 1) (i32.const 0xfffff0) (i32.const 1) (i32.const 24)))
    ;; Closed twice: success, then badf.
    (drop (call $fd_close (i32.load (i32.const 8))))
    (drop (call $fd_close (i32.load (i32.const 8))))
    (call $proc_exit (i32.const 3))))
