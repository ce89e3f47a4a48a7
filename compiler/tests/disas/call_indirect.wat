;; call_indirect through table 0: bounds check, null check and signature check.
(module
  (type $t (func (param i32) (result i32)))
  (table 4 funcref)
  (func $call (param i32 i32) (result i32)
    local.get 1
    local.get 0
    call_indirect (type $t)))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (call)
;; function u0:0(i64 vmctx, i32, i32) -> i32 system_v {
;;     region0 = 2 "table elements"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     sig0 = (i64 vmctx, i32) -> i32 system_v
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i32):
;; @0029                               v4 = load.i64 notrap aligned readonly can_move v0+96
;; @0029                               v5 = load.i64 notrap aligned v4+8
;; @0029                               v6 = uextend.i64 v1
;; @0029                               v7 = icmp uge v6, v5
;; @0029                               trapnz v7, user3
;; @0029                               v8 = load.i64 notrap aligned v4
;;                                     v19 = iconst.i64 3
;;                                     v20 = ishl v6, v19  ; v19 = 3
;; @0029                               v11 = iadd v8, v20
;; @0029                               v12 = load.i64 notrap aligned region0 v11
;; @0029                               trapz v12, user4
;; @0029                               v13 = load.i32 notrap aligned readonly v12+8
;; @0029                               v14 = load.i32 notrap aligned readonly can_move v0+56
;; @0029                               v15 = icmp ne v13, v14
;; @0029                               trapnz v15, user5
;; @0029                               v16 = load.i64 notrap aligned readonly v12
;; @0029                               v17 = load.i64 notrap aligned readonly v12+16
;; @0029                               v18 = call_indirect sig0, v16(v17, v2)
;; @002c                               jump block1
;;
;;                                 block1:
;; @002c                               return v18
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   movq 0x10(%rdi), %r10
;;   addq $0x10, %r10
;;   cmpq %rsp, %r10
;;   jnbe #trap=stk_ovf
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
;; block0:
;;   movq 0x60(%rdi), %r11
;;   movl %esi, %eax
;;   cmpq 8(%r11), %rax
;;   jnb #trap=user3
;;   movq (%r11), %rcx
;;   movq (%rcx, %rax, 8), %rax
;;   testq %rax, %rax
;;   jz #trap=user4
;;   movl 8(%rax), %ecx
;;   cmpl 0x38(%rdi), %ecx
;;   jnz #trap=user5
;;   movq (%rax), %rcx
;;   movq 0x10(%rax), %rdi
;;   movq %rdx, %rsi
;;   call    *%rcx
;;   jmp     label1
;; block1:
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
