;; i64.rem_s by zero -> "integer divide by zero"
(module
  (memory (export "memory") 1)
  (func $remainder_by_zero (param i64 i64) (result i64)
    local.get 0
    local.get 1
    i64.rem_s)
  (func $_start (export "_start")
    (drop (call $remainder_by_zero (i64.const 10) (i64.const 0)))))
