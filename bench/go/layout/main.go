// Layout sensitivity (bench section m): strings.Compare on two 100 KB strings that differ in
// their last byte, 2,000 times. Nearly all the time is one byte loop (memcmp in Go's
// internal/bytealg/compare_wasm.s), so where that loop lands in the code shows directly. The
// bench builds it as is and with pad.go (an unrelated function that moves everything after
// it), each at two CPU levels, and reports the spread.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	a := strings.Repeat("x", 100_000)
	b := strings.Repeat("x", 99_999) + "y"
	n := 0
	t0 := time.Now()
	for i := 0; i < 2000; i++ {
		n += strings.Compare(a, b)
	}
	if n != -2000 {
		fmt.Fprintln(os.Stderr, "wrong result", n)
		os.Exit(1)
	}
	fmt.Println(time.Since(t0).Microseconds())
}
