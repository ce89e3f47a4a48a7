;; Writes a greeting through `wasi_unstable.fd_write` (the pre-preview1 ABI; the iovec
;; layout is the same as preview1's).
(module
  (import "wasi_unstable" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasi_unstable\n")
  (func $main (export "_start")
    ;; iovec at 0: { buf = 16, len = 25 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 25))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
