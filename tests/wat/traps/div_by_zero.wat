;; i32.div_u by zero -> "integer divide by zero"
(module
  (memory (export "memory") 1)
  (func $divide_by_zero (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_u)
  (func $_start (export "_start")
    (drop (call $divide_by_zero (i32.const 1) (i32.const 0)))))
