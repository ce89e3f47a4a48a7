// trees: the binary-trees benchmark (allocation-heavy, exercises the GC).
package main

import "fmt"

type node struct{ l, r *node }

func build(d int) *node {
	if d == 0 {
		return &node{}
	}
	return &node{build(d - 1), build(d - 1)}
}

func (n *node) check() int {
	if n.l == nil {
		return 1
	}
	return 1 + n.l.check() + n.r.check()
}

func main() {
	const maxDepth = 18
	long := build(maxDepth)
	total := 0
	for d := 4; d <= maxDepth; d += 2 {
		iters := 1 << (maxDepth - d + 4)
		for i := 0; i < iters; i++ {
			total += build(d).check()
		}
	}
	fmt.Println(total, long.check())
}
