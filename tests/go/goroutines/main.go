// goroutines: channels, sync.WaitGroup, sync.Mutex and select with time.After.
package main

import (
	"fmt"
	"sync"
	"time"
)

func worker(id int, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		results <- j * j
	}
	_ = id
}

func main() {
	// A worker pool fed through a channel.
	jobs := make(chan int, 100)
	results := make(chan int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
	}
	for i := 1; i <= 100; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("sum of squares:", sum)

	// A counter shared by many goroutines behind a mutex.
	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for k := 0; k < 100; k++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	fmt.Println("counter:", counter)

	// Unbuffered ping-pong.
	ping, pong := make(chan string), make(chan string)
	go func() {
		for msg := range ping {
			pong <- msg + "-pong"
		}
		close(pong)
	}()
	for i := 0; i < 3; i++ {
		ping <- fmt.Sprint("ping", i)
		fmt.Println(<-pong)
	}
	close(ping)

	// select: a value that arrives before the timeout, then a timeout.
	fast := make(chan string, 1)
	go func() {
		time.Sleep(10 * time.Millisecond)
		fast <- "fast value"
	}()
	select {
	case v := <-fast:
		fmt.Println("received:", v)
	case <-time.After(5 * time.Second):
		fmt.Println("timed out waiting for fast value")
	}
	never := make(chan string)
	select {
	case v := <-never:
		fmt.Println("unexpected:", v)
	case <-time.After(30 * time.Millisecond):
		fmt.Println("timeout fired")
	}
}
