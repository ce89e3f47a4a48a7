;; Traps: unreachable, and the two traps of i32.div_s (division by zero, overflow).
(module
  (func $unreachable
    unreachable)
  (func $div (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.div_s))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (unreachable)
;; function u0:0(i64 vmctx) system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @001e                               trap user9
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   ud2
;; ;; function 1 (div)
;; function u0:1(i64 vmctx, i32, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i32):
;; @0026                               v4 = sdiv v1, v2
;; @0027                               jump block1
;;
;;                                 block1:
;; @0027                               return v4
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   movq %rsi, %rax
;;   movq %rdx, %r11
;;   cltd  ;; implicit: %edx, %eax
;;   testl %r11d, %r11d
;;   jz #trap=int_divz
;;   idivl %r11d ;; implicit: %eax, %edx, trap=252
;;   jmp     label1
;; block1:
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
