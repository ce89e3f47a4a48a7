;; select on i32 and on f64.
(module
  (func $select_i32 (param i32 i32 i32) (result i32)
    local.get 0
    local.get 1
    local.get 2
    select)
  (func $select_f64 (param f64 f64 i32) (result f64)
    local.get 0
    local.get 1
    local.get 2
    select))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (select_i32)
;; function u0:0(i64 vmctx, i32, i32, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i32, v3: i32):
;; @002a                               jump block1
;;
;;                                 block1:
;; @0029                               v5 = select.i32 v3, v1, v2
;; @002a                               return v5
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   jmp     label1
;; block1:
;;   testl %ecx, %ecx
;;   movq %rdx, %rax
;;   cmovnel %esi, %eax
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;; ;; function 1 (select_f64)
;; function u0:1(i64 vmctx, f64, f64, i32) -> f64 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: f64, v2: f64, v3: i32):
;; @0034                               jump block1
;;
;;                                 block1:
;; @0033                               v5 = select.f64 v3, v1, v2
;; @0034                               return v5
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   jmp     label1
;; block1:
;;   testl %esi, %esi
;;   movdqa %xmm0, %xmm7
;;   movdqa %xmm1, %xmm0
;;   movsd %xmm0, %xmm0; jz $next; movsd %xmm7, %xmm0; $next:
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
