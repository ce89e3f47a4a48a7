;; Many consecutive active data segments (the compiler stores such a run as one descriptor
;; entry with a piece per segment): gaps, a later segment overwriting an earlier one, empty
;; segments, a passive segment in the middle of the index space, and `memory.init` /
;; `data.drop` on indices of active (so dropped) segments.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "he")
  (data (i32.const 102) "ll")
  (data (i32.const 104) "o,")
  (data (i32.const 106) "")
  (data (i32.const 107) "XXXXXXX")   ;; partly overwritten below
  (data (i32.const 107) "runs")
  (data (i32.const 112) "of")
  (data (i32.const 115) "segments")
  (data (i32.const 65535) "")         ;; empty, at the very end: in bounds
  (data "passive!")                   ;; index 9
  (data (i32.const 124) "+")
  (data (i32.const 123) " ")
  (data (i32.const 114) "\00")        ;; stays zero: overwritten by the space fix-up below
  (func $main (export "_start")
    ;; An active segment is dropped after instantiation: len 0 at offset 0 succeeds.
    (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))
    (data.drop 3)
    ;; The passive segment, copied after the "+".
    (memory.init 9 (i32.const 125) (i32.const 0) (i32.const 8))
    (data.drop 9)
    ;; Spaces in the gaps at 106, 111, 114 and a newline at 133.
    (i32.store8 (i32.const 106) (i32.const 32))
    (i32.store8 (i32.const 111) (i32.const 32))
    (i32.store8 (i32.const 114) (i32.const 32))
    (i32.store8 (i32.const 133) (i32.const 10))
    ;; iovec at 0: { buf = 100, len = 34 }
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 34))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
