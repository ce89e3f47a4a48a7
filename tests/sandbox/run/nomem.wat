;; `wasmaot run` check (tests/harness/src/bin/wasi.rs, run/no-memory-export): a WASI call from a
;; module whose memory is not exported as `memory`. Under `wasmaot run` as under `wasmtime run`:
;; `missing required memory export`, status 1; a compiled executable makes the call on its
;; memory 0 (nothing to write: status 0).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))
