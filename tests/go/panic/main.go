// panic: an unrecovered Go panic exits with status 2 and a report on stderr
// (the Go runtime handles it; it is not a wasm trap).
package main

import "fmt"

type config struct{ name string }

func load(which int) *config {
	if which > 1 {
		return nil
	}
	return &config{name: "ok"}
}

func main() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
		}
		// The second panic is not recovered.
		var m map[string]int
		m["boom"] = 1
	}()
	fmt.Println("starting")
	c := load(2)
	fmt.Println(c.name)
}
