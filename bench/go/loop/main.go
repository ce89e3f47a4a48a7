package main

import "fmt"

//go:noinline
func sum(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		if i%3 == 0 {
			s += i
		} else {
			s ^= i
		}
	}
	return s
}

func main() { fmt.Println(sum(200000000)) }
