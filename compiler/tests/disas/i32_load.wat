;; i32.load with a static offset from a 32-bit index: the heap base from the vmctx and the
;; bounds check (or its absence under guard pages).
(module
  (memory 1)
  (func $load (param i32) (result i32)
    local.get 0
    i32.load offset=16))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (load)
;; function u0:0(i64 vmctx, i32) -> i32 system_v {
;;     region0 = 1 "linear memory"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001d                               v2 = load.i64 notrap aligned readonly v0
;; @0020                               v4 = uextend.i64 v1
;; @0020                               v5 = iadd v2, v4
;; @0020                               v6 = load.i32 little region0 v5+16
;; @0023                               jump block1
;;
;;                                 block1:
;; @0023                               return v6
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   movq %rsi, %r8
;;   movq (%rdi), %rsi
;;   movq %r8, %rdi
;;   movl %edi, %edi
;;   movl 0x10(%rsi, %rdi), %eax
;;   jmp     label1
;; block1:
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
