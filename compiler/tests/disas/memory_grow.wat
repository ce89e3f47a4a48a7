;; memory.grow and memory.size: calls into the runtime's builtins with the vmctx.
(module
  (memory 1 10)
  (func $grow (param i32) (result i32)
    local.get 0
    memory.grow
    memory.size
    i32.add))

;; ==== expected output (BLESS=1 cargo test -p wasmaot --test disas) ====
;; ;; function 0 (grow)
;; function u0:0(i64 vmctx, i32) -> i32 system_v {
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+16
;;     sig0 = (i64, i32, i64) -> i64 system_v
;;     fn0 = colocated u1:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001e                               v2 = load.i64 notrap aligned readonly v0
;; @0021                               v5 = iconst.i32 0
;; @0021                               v4 = uextend.i64 v1
;; @0021                               v6 = call fn0(v0, v5, v4)  ; v5 = 0
;; @0023                               v8 = load.i64 notrap aligned readonly can_move v0+8
;; @0023                               v9 = load.i64 notrap aligned v8+8
;; @0026                               jump block1
;;
;;                                 block1:
;; @0021                               v7 = ireduce.i32 v6
;; @0023                               v10 = iconst.i64 16
;; @0023                               v11 = ushr.i64 v9, v10  ; v10 = 16
;; @0023                               v12 = ireduce.i32 v11
;; @0025                               v13 = iadd v7, v12
;; @0026                               return v13
;; }
;; ;; machine code
;;   pushq %rbp
;;   unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
;;   movq %rsp, %rbp
;;   movq 0x10(%rdi), %r10
;;   addq $0x20, %r10
;;   cmpq %rsp, %r10
;;   jnbe #trap=stk_ovf
;;   unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
;;   subq $0x10, %rsp
;;   movq %rbx, (%rsp)
;;   unwind SaveReg { clobber_offset: 0, reg: p3i }
;; block0:
;;   movq %rsi, %rax
;;   movq (%rdi), %r11
;;   movq %rdi, %rbx
;;   uninit  %rsi
;;   xorl %esi, %esi
;;   movl %eax, %edx
;;   call    User(userextname0)
;;   movq 8(%rbx), %r11
;;   movq 8(%r11), %r10
;;   jmp     label1
;; block1:
;;   shrq $0x10, %r10
;;   leal (%rax, %r10), %eax
;;   movq (%rsp), %rbx
;;   addq $0x10, %rsp
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
