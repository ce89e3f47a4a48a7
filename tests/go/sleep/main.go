// sleep: time.Sleep must sleep at least as long as asked (poll_oneoff clock subscription).
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	for _, d := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 150 * time.Millisecond} {
		start := time.Now()
		time.Sleep(d)
		elapsed := time.Since(start)
		if elapsed < d {
			fmt.Printf("slept %v, wanted at least %v\n", elapsed, d)
			os.Exit(1)
		}
		fmt.Printf("slept at least %v\n", d)
	}
	// The clock starts before the timer: measured from after NewTimer, a slow machine (qemu)
	// made the timer look early.
	start := time.Now()
	t := time.NewTimer(40 * time.Millisecond)
	<-t.C
	if time.Since(start) < 40*time.Millisecond {
		fmt.Println("timer fired early")
		os.Exit(1)
	}
	fmt.Println("timer ok")
}
