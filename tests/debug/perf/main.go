// The Go program of the debug/go-perf test: a second or so of CPU work in functions with
// recognisable names, for `perf record -g` and `perf report`.
package main

import (
	"fmt"
	"os"
	"strconv"
)

//go:noinline
func collatzSteps(n uint64) int {
	steps := 0
	for n != 1 {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
		steps++
	}
	return steps
}

//go:noinline
func longestCollatz(limit uint64) (uint64, int) {
	best, bestSteps := uint64(1), 0
	for i := uint64(1); i < limit; i++ {
		if s := collatzSteps(i); s > bestSteps {
			best, bestSteps = i, s
		}
	}
	return best, bestSteps
}

func main() {
	limit := uint64(3_000_000)
	if len(os.Args) > 1 {
		if v, err := strconv.ParseUint(os.Args[1], 10, 64); err == nil {
			limit = v
		}
	}
	n, steps := longestCollatz(limit)
	fmt.Printf("longest Collatz chain below %d: %d (%d steps)\n", limit, n, steps)
}
