// hello: the smallest Go program worth compiling; also the `make` demo.
package main

import "fmt"

func main() {
	fmt.Println("Hello from Go on wasmaot!")
	fmt.Printf("%d + %d = %d\n", 2, 3, 2+3)
}
