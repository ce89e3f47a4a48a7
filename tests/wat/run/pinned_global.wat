;; The pinned global (an executable's most used mutable, unexported i32/i64 global lives in a
;; register while its code runs: `compiler/src/env/globals.rs`) through the whole pipeline.
;; $sp is global 1, used far more than global 0, so it is the one pinned. It is set by the
;; start function (one call from the runtime) and must still hold that value in `_start` (the
;; next call): the register is stored back to the slot between the two. Then a shadow stack in
;; linear memory, driven by $sp, is used across direct recursion 2,000 deep, `call_indirect`,
;; `return_call`, WASI calls in the middle of a frame, `throw` out of a frame caught by a
;; caller (which must see $sp as the thrower left it), and a loop that moves $sp by 8 a million
;; times. Exits with the number of the first wrong result; prints "ok" otherwise.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 32) "ok\n")
  (global $other (mut i32) (i32.const 7))
  (global $sp (mut i32) (i32.const 0))
  (type $frame_t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $frame)
  (tag $unwound (param i32))

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  (func $init
    (global.set $other (i32.const 9))
    (global.set $sp (i32.const 131072)))

  ;; push: $sp -= 16, store $v at the new top.
  (func $push (param $v i32)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
    (i32.store (global.get $sp) (local.get $v)))
  (func $pop (result i32)
    (i32.load (global.get $sp))
    (global.set $sp (i32.add (global.get $sp) (i32.const 16))))

  ;; Sum of n..1 on the shadow stack: every level pushes n, recurses (directly on even
  ;; levels, through the table on odd ones), and at level 1000 makes a WASI call.
  (func $frame (param $n i32) (result i32)
    (local $below i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (call $push (local.get $n))
    (if (i32.eq (local.get $n) (i32.const 1000))
      (then (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 64)))))
    (local.set $below
      (if (result i32) (i32.and (local.get $n) (i32.const 1))
        (then (call_indirect (type $frame_t) (i32.sub (local.get $n) (i32.const 1))
                (i32.const 0)))
        (else (call $frame (i32.sub (local.get $n) (i32.const 1))))))
    (i32.add (local.get $below) (call $pop)))

  ;; Moves $sp down by 8 per step and tail-calls itself; restores nothing.
  (func $descend (param $steps i32)
    (if (i32.eqz (local.get $steps)) (then (return)))
    (global.set $sp (i32.sub (global.get $sp) (i32.const 8)))
    (return_call $descend (i32.sub (local.get $steps) (i32.const 1))))

  ;; Pushes a frame, then throws with $sp still lowered.
  (func $thrower
    (call $push (i32.const 77))
    (throw $unwound (global.get $sp)))

  (func $count_loop (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (global.set $sp (i32.add (global.get $sp) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (global.get $sp))

  (func (export "_start")
    (local $base i32)
    (local $thrown i32)
    (call $check (i32.eq (global.get $sp) (i32.const 131072)) (i32.const 1))
    (call $check (i32.eq (global.get $other) (i32.const 9)) (i32.const 2))
    (local.set $base (global.get $sp))
    ;; 2000 * 2001 / 2
    (call $check (i32.eq (call $frame (i32.const 2000)) (i32.const 2001000)) (i32.const 3))
    (call $check (i32.eq (global.get $sp) (local.get $base)) (i32.const 4))
    (call $descend (i32.const 1000))
    (call $check (i32.eq (global.get $sp) (i32.sub (local.get $base) (i32.const 8000)))
      (i32.const 5))
    (global.set $sp (local.get $base))
    (local.set $thrown
      (block $caught (result i32)
        (try_table (catch $unwound $caught) (call $thrower))
        (call $proc_exit (i32.const 6))
        (unreachable)))
    (call $check (i32.eq (local.get $thrown) (i32.sub (local.get $base) (i32.const 16)))
      (i32.const 7))
    (call $check (i32.eq (global.get $sp) (i32.sub (local.get $base) (i32.const 16)))
      (i32.const 8))
    (call $check (i32.eq (call $pop) (i32.const 77)) (i32.const 9))
    (call $check (i32.eq (call $count_loop (i32.const 1000000))
      (i32.add (local.get $base) (i32.const 8000000))) (i32.const 10))
    (global.set $sp (local.get $base))
    ;; A WASI call with $sp far from its slot's old value, then the value still right.
    (global.set $sp (i32.const 4096))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $check (i32.eq (global.get $sp) (i32.const 4096)) (i32.const 11)))

  (start $init))
