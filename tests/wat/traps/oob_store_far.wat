;; store at a huge address (with offset) -> "out of bounds memory access"
(module
  (memory (export "memory") 1)
  (func $store_far_away (param i32)
    local.get 0
    i64.const 42
    i64.store offset=0x10000000)
  (func $_start (export "_start")
    (call $store_far_away (i32.const 0xfffffff0))))
