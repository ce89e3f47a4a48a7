;; i32.div_s INT_MIN / -1 -> "integer overflow"
(module
  (memory (export "memory") 1)
  (func $signed_overflow (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s)
  (func $_start (export "_start")
    (drop (call $signed_overflow (i32.const 0x80000000) (i32.const -1)))))
