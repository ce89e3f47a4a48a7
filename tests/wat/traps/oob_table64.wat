;; 64-bit table (memory64) read at index 2^32, which a 32-bit truncation would make 0 -> "undefined element: out of bounds table access"
;; backtrace: get_far _start
;; wasmaot flags: --wasm-version 3.0
(module
  (type $answer (func (result i32)))
  (memory $m32 1)
  (memory $m64 i64 1)
  (table $t64 i64 4 funcref)
  ;; Segment offsets are i64 constants for 64-bit memories and tables.
  (data (memory $m64) (i64.const 0xfff0) "memory64")
  (elem (table $t64) (i64.const 2) func $forty_two)
  (func $get_far (param i64) (result funcref)
    (table.get $t64 (local.get 0)))
  (func $forty_two (type $answer) (i32.const 42))
  (func $_start (export "_start")
    ;; call_indirect with an i64 index.
    (if (i32.ne (call_indirect $t64 (type $answer) (i64.const 2)) (i32.const 42))
      (then unreachable))
    ;; Bulk operators with i64 operands, and a copy from the 64-bit memory to the 32-bit one
    ;; (i32 length, the smaller index type).
    (memory.fill $m64 (i64.const 0xfff8) (i32.const 0x21) (i64.const 2))
    (memory.copy $m32 $m64 (i32.const 16) (i64.const 0xfff0) (i32.const 10))
    (if (i64.ne (i64.load $m32 (i32.const 16)) (i64.const 0x343679726f6d656d))
      (then unreachable))
    (if (i32.ne (i32.load16_u $m32 (i32.const 24)) (i32.const 0x2121))
      (then unreachable))
    ;; Growing returns the old size as an i64; the table's size and grow are i64 too.
    (if (i64.ne (memory.grow $m64 (i64.const 1)) (i64.const 1))
      (then unreachable))
    (if (i64.ne (table.grow $t64 (ref.null func) (i64.const 1)) (i64.const 4))
      (then unreachable))
    (if (i64.ne (table.size $t64) (i64.const 5))
      (then unreachable))
    (drop (call $get_far (i64.const 0x100000000)))))
