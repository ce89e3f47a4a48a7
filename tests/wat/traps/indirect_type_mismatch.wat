;; call_indirect with the wrong signature -> "indirect call type mismatch"
(module
  (memory (export "memory") 1)
  (type $unary (func (param i32) (result i32)))
  (type $nullary (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $forty_two)
  (func $call_with_wrong_type (result i32)
    (call_indirect (type $unary) (i32.const 5) (i32.const 0)))
  (func $forty_two (result i32) i32.const 42)
  (func $_start (export "_start")
    (drop (call $call_with_wrong_type))))
