;; exceptions: wasm exceptions crossing the host. `outer` calls the host function
;; `host.call_back`, which calls `inner` of ANOTHER instance of this module; an exception
;; `inner` throws comes back to the host as WASMAOT_ERROR_EXCEPTION, and the host either
;; throws it on into `outer` (`wasmaot_caller_throw`) or swallows it. Tags are per instance,
;; so `outer`'s `catch $t` does not match the other instance's exception: its `catch_all`
;; does. `escape` lets an exception of its own instance reach the host.
(module
  (import "host" "call_back" (func $call_back (param i32) (result i32)))
  (tag $t (param i32))
  (func (export "inner") (param i32) (result i32)
    (if (i32.gt_s (local.get 0) (i32.const 0))
      (then (throw $t (local.get 0))))
    (i32.const -1))
  (func (export "outer") (param i32) (result i32)
    (block $all
      (block $mine (result i32)
        (try_table (result i32) (catch $t $mine) (catch_all $all)
          (call $call_back (local.get 0)))
        (return))
      (return (i32.add (i32.const 500))))
    (i32.const 2000))
  (func (export "own") (param i32) (result i32)
    (block $mine (result i32)
      (try_table (result i32) (catch $t $mine)
        (call $call_back (local.get 0))
        (drop)
        (throw $t (i32.mul (local.get 0) (i32.const 10)))))
    (i32.add (i32.const 7)))
  (func (export "escape") (param i32) (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $t (local.get 0)))
      (return (i32.const 0)))
    (throw_ref)))
