// reactor: a Go reactor (`go build -buildmode=c-shared`: `_initialize` instead of `_start`)
// whose `//go:wasmexport` functions a host calls many times: plain arithmetic, a function that
// allocates and returns a string through memory, and one that calls a host function.
package main

import (
	"strings"
	"unsafe"
)

//go:wasmimport env host_scale
func hostScale(x int32) int32

// kept holds what the host may still read: buffers handed out by alloc and the last
// greeting, so the collector does not free them under the host.
var kept = map[int32][]byte{}
var greeting []byte
var greets int

//go:wasmexport add
func add(a, b int32) int32 { return a + b }

// alloc returns a buffer of n bytes for the host to write into.
//
//go:wasmexport alloc
func alloc(n int32) int32 {
	b := make([]byte, n)
	p := int32(uintptr(unsafe.Pointer(&b[0])))
	kept[p] = b
	return p
}

//go:wasmexport free
func free(p int32) { delete(kept, p) }

// greet reads a name from memory and returns "Hello, NAME! (#N)" as ptr<<32 | len.
//
//go:wasmexport greet
func greet(ptr, n int32) int64 {
	name := unsafe.String((*byte)(unsafe.Pointer(uintptr(ptr))), n)
	greets++
	var sb strings.Builder
	sb.WriteString("Hello, ")
	sb.WriteString(name)
	sb.WriteString("! (#")
	sb.WriteString(itoa(greets))
	sb.WriteString(")")
	greeting = []byte(sb.String())
	p := int64(uintptr(unsafe.Pointer(&greeting[0])))
	return p<<32 | int64(len(greeting))
}

// scaled calls the host function env.host_scale.
//
//go:wasmexport scaled
func scaled(x int32) int32 { return hostScale(x) + 1 }

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var d []byte
	for ; v > 0; v /= 10 {
		d = append([]byte{byte('0' + v%10)}, d...)
	}
	return string(d)
}

func main() {}
