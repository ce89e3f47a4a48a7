// hostfuncs: a Go wasip1 program whose host functions are C functions linked into the
// executable (`wasmaot main.wasm --link host.c`): every scalar type as parameter and result,
// a string passed as pointer and length, and, with the argument `trap`, a host function that
// ends the program with a wasm trap.
package main

import (
	"fmt"
	"os"
	"unsafe"
)

//go:wasmimport env add_i32
func addI32(a, b int32) int32

//go:wasmimport env mul_i64
func mulI64(a, b int64) int64

//go:wasmimport env half_f32
func halfF32(x float32) float32

//go:wasmimport env hypot_f64
func hypotF64(a, b float64) float64

//go:wasmimport env log_string
func logString(ptr unsafe.Pointer, n int32) int32

//go:wasmimport host.v1 count_calls
func countCalls() int64

//go:wasmimport env fail
func fail(code int32)

func say(s string) int32 {
	b := []byte(s)
	return logString(unsafe.Pointer(&b[0]), int32(len(b)))
}

func main() {
	fmt.Println("add_i32:", addI32(40, 2), addI32(-7, 3))
	fmt.Println("mul_i64:", mulI64(1<<40, 3), mulI64(-5, 5))
	fmt.Println("half_f32:", halfF32(3))
	fmt.Println("hypot_f64:", hypotF64(3, 4))
	fmt.Println("log_string returned", say("hello, host"))
	fmt.Println("calls so far:", countCalls())
	if len(os.Args) > 1 && os.Args[1] == "trap" {
		fmt.Println("asking the host to trap")
		fail(7)
		fmt.Println("unreachable: the host trapped")
	}
	fmt.Println("done")
}
