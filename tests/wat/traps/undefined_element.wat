;; call_indirect past the end of the table -> "undefined element: out of bounds table access"
(module
  (memory (export "memory") 1)
  (type $nullary (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $forty_two)
  (func $call_past_table (result i32)
    (call_indirect (type $nullary) (i32.const 7)))
  (func $forty_two (result i32) i32.const 42)
  (func $_start (export "_start")
    (drop (call $call_past_table))))
