;; Exception handling (Wasm 3.0) through the whole pipeline: a throw three frames deep caught
;; with its payload; tags told apart; `catch_ref` + `throw_ref` rethrowing the same exception
;; (identity kept); `catch_all` and `catch_all_ref`; nested `try_table`s where the inner one
;; does not match; throws through `call_indirect` and `call_ref`; i64/f64/v128 payloads; a
;; `return_call` inside a `try_table` (the callee's exception leaves the function); and an
;; exception caught after a loop of 100000 throws (objects freed). Exits with the number of
;; the first wrong result; prints "ok" otherwise.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "ok\n")
  (tag $e_i32 (param i32))
  (tag $e_other (param i32))
  (tag $e_wide (param i64 f64 v128))
  (tag $e_none)
  (type $thrower (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $deep1 $throw_none)
  (elem declare func $deep1)

  (func $deep3 (param i32)
    (if (i32.gt_s (local.get 0) (i32.const 10))
      (then (throw $e_i32 (i32.mul (local.get 0) (i32.const 2))))))
  (func $deep2 (param i32) (call $deep3 (i32.add (local.get 0) (i32.const 1))))
  (func $deep1 (param i32) (call $deep2 (local.get 0)))
  (func $throw_none (param i32) (throw $e_none))

  ;; payload of $e_i32 thrown 3 frames down, or -1 if nothing was thrown
  (func $catch_deep (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e_i32 $h)
        (call $deep1 (local.get 0)))
      (i32.const -1)))

  ;; the inner try_table only catches $e_other: the outer one gets $e_i32
  (func $nested (result i32)
    (block $outer (result i32)
      (try_table (catch $e_i32 $outer)
        (block $inner (result i32)
          (try_table (catch $e_other $inner)
            (call $deep1 (i32.const 20)))
          (return (i32.const -2)))
        (drop))
      (i32.const -3)))

  ;; catch_ref, then throw_ref of the same exception: the outer handler sees the payload
  (func $rethrow (result i32)
    (block $outer (result i32)
      (try_table (catch $e_i32 $outer)
        (block $h (result i32 exnref)
          (try_table (catch_ref $e_i32 $h)
            (call $deep1 (i32.const 50)))
          (return (i32.const -4)))
        (throw_ref)
        (drop))
      (i32.const -5)))

  ;; catch_all_ref keeps the exception; comparing what two catches see via ref.is_null
  (func $catch_all (result i32)
    (local $r exnref)
    (block $h
      (try_table (catch_all $h)
        (throw $e_none)))
    (block $h2 (result exnref)
      (try_table (catch_all_ref $h2)
        (throw $e_other (i32.const 1)))
      (ref.null exn))
    (local.set $r)
    (if (result i32) (ref.is_null (local.get $r))
      (then (i32.const 0)) (else (i32.const 7))))

  (func $indirect (result i32)
    (block $h (result i32)
      (try_table (catch $e_i32 $h)
        (call_indirect (type $thrower) (i32.const 30) (i32.const 0)))
      (i32.const -6))
    (block $h2
      (try_table (catch $e_none $h2)
        (call_ref $thrower (i32.const 0) (ref.func $deep1))
        (call_indirect (type $thrower) (i32.const 0) (i32.const 1)))
      (return (i32.const -7)))
    (i32.add (i32.const 1000)))

  (func $wide (result i32)
    (local $a i64) (local $b f64) (local $c v128)
    (block $h (result i64 f64 v128)
      (try_table (catch $e_wide $h)
        (throw $e_wide (i64.const 0x1122334455667788) (f64.const 2.5)
          (v128.const i32x4 1 2 3 4)))
      (return (i32.const -8)))
    (local.set $c) (local.set $b) (local.set $a)
    (i32.and
      (i32.and
        (i64.eq (local.get $a) (i64.const 0x1122334455667788))
        (f64.eq (local.get $b) (f64.const 2.5)))
      (i32.eq (i32x4.extract_lane 3 (local.get $c)) (i32.const 4))))

  (func $tail_thrower (result i32) (throw $e_i32 (i32.const 77)))
  (func $tail_in_try (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e_i32 $h)
        (return_call $tail_thrower))
      (drop)
      (i32.const -9)))
  (func $tail_outer (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e_i32 $h)
        (call $tail_in_try))))

  (func $many_throws (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e_i32 $h)
          (throw $e_i32 (local.get $i)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    (local.get $sum))

  (func $check (param $got i32) (param $want i32) (param $n i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (local.get $n)))))

  (func (export "_start")
    (call $check (call $catch_deep (i32.const 10)) (i32.const 22) (i32.const 1))
    (call $check (call $catch_deep (i32.const 5)) (i32.const -1) (i32.const 2))
    (call $check (call $nested) (i32.const 42) (i32.const 3))
    (call $check (call $rethrow) (i32.const 102) (i32.const 4))
    (call $check (call $catch_all) (i32.const 7) (i32.const 5))
    (call $check (call $indirect) (i32.const 1062) (i32.const 6))
    (call $check (call $wide) (i32.const 1) (i32.const 7))
    (call $check (call $tail_outer) (i32.const 77) (i32.const 8))
    (call $check (call $many_throws) (i32.const 704982704) (i32.const 9))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
