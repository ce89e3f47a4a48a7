// pingpong: two goroutines pass a token back and forth over unbuffered channels, plus a
// fan-out/fan-in pipeline over buffered channels (scheduler and channel costs).
package main

import (
	"fmt"
	"sync"
)

func main() {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < 300000; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)

	jobs, results := make(chan int, 64), make(chan int, 64)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- j * 2
			}
		}()
	}
	go func() {
		for i := 0; i < 300000; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }()
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println(v, sum)
}
