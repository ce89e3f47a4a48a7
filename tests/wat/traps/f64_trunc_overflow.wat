;; i64.trunc_f64_u of 1e30 -> "integer overflow"
(module
  (memory (export "memory") 1)
  (func $truncate_huge (param f64) (result i64)
    local.get 0
    i64.trunc_f64_u)
  (func $_start (export "_start")
    (drop (call $truncate_huge (f64.const 1e30)))))
