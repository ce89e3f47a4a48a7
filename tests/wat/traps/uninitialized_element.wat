;; call_indirect through a null table entry -> "uninitialized element"
(module
  (memory (export "memory") 1)
  (type $nullary (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $forty_two)
  (func $call_null_entry (result i32)
    (call_indirect (type $nullary) (i32.const 1)))
  (func $forty_two (result i32) i32.const 42)
  (func $_start (export "_start")
    (drop (call $call_null_entry))))
