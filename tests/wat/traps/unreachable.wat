;; unreachable -> "wasm `unreachable` instruction executed"
;; backtrace: hit_unreachable _start
(module
  (memory (export "memory") 1)
  (func $hit_unreachable
    unreachable)
  (func $_start (export "_start")
    call $hit_unreachable))
