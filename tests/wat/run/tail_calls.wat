;; Tail calls (Wasm 3.0) through the whole pipeline, in constant stack: 10 million mutually
;; recursive `return_call`s (even/odd), 5 million `return_call_indirect`s and 5 million
;; `return_call_ref`s, a `return_call` with 12 parameters (some passed on the stack) carrying
;; i64 and f64 accumulators 3 million deep, and a `return_call` of a function that is also
;; called normally and through the table (its C-convention adapter). Without tail calls each
;; would exhaust the 8 MiB wasm stack. Exits with the number of the first wrong result;
;; prints "ok" otherwise.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "ok\n")
  (type $count_t (func (param i32 i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $count_indirect $count_ref)
  (elem declare func $count_ref)

  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))

  (func $count_indirect (param i32 i64) (result i64)
    (if (result i64) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call_indirect (type $count_t)
          (i32.sub (local.get 0) (i32.const 1))
          (i64.add (local.get 1) (i64.const 3))
          (i32.const 0)))))

  (func $count_ref (param i32 i64) (result i64)
    (if (result i64) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else
        (return_call_ref $count_t
          (i32.sub (local.get 0) (i32.const 1))
          (i64.add (local.get 1) (i64.const 5))
          (ref.func $count_ref)))))

  (func $wide (param $n i32) (param $a i64) (param $b f64) (param $c i32) (param $d i32)
               (param $e i32) (param $f i32) (param $g i32) (param $h i64) (param $i i64)
               (param $j f64) (param $k i32) (result f64)
    (if (result f64) (i32.eqz (local.get $n))
      (then
        (f64.add
          (f64.add (local.get $b) (local.get $j))
          (f64.convert_i64_s
            (i64.add (i64.add (local.get $a) (local.get $h))
              (i64.add (local.get $i)
                (i64.extend_i32_u
                  (i32.add (i32.add (local.get $c) (local.get $d))
                    (i32.add (i32.add (local.get $e) (local.get $f))
                      (i32.add (local.get $g) (local.get $k))))))))))
      (else
        (return_call $wide
          (i32.sub (local.get $n) (i32.const 1))
          (i64.add (local.get $a) (i64.const 1))
          (f64.add (local.get $b) (f64.const 0.5))
          (local.get $d) (local.get $e) (local.get $f) (local.get $g) (local.get $c)
          (local.get $i) (local.get $h)
          (local.get $j) (local.get $k)))))

  (func $check (param $got i64) (param $want i64) (param $n i32)
    (if (i64.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (local.get $n)))))

  (func (export "_start")
    (call $check (i64.extend_i32_u (call $even (i32.const 10000000))) (i64.const 1) (i32.const 1))
    (call $check (i64.extend_i32_u (call $odd (i32.const 10000001))) (i64.const 1) (i32.const 2))
    (call $check (call $count_indirect (i32.const 5000000) (i64.const 0))
      (i64.const 15000000) (i32.const 3))
    (call $check
      (call_indirect (type $count_t) (i32.const 5000000) (i64.const 1) (i32.const 1))
      (i64.const 25000001) (i32.const 4))
    (call $check
      (i64.trunc_f64_s
        (call $wide (i32.const 3000000) (i64.const 0) (f64.const 0)
          (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
          (i64.const 10) (i64.const 20) (f64.const 0.25) (i32.const 7)))
      (i64.const 4500052) (i32.const 5))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
