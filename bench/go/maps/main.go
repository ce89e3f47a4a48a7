// maps: inserts, lookups and deletes on int- and string-keyed maps.
package main

import (
	"fmt"
	"strconv"
)

func main() {
	m := make(map[int]int)
	for i := 0; i < 2000000; i++ {
		m[i*7919%1000003] += i
	}
	hits := 0
	for i := 0; i < 4000000; i++ {
		if _, ok := m[i]; ok {
			hits++
		}
	}
	s := make(map[string]int)
	keys := make([]string, 200000)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	for r := 0; r < 10; r++ {
		for i, k := range keys {
			s[k] += i
		}
		for i := 0; i < len(keys); i += 2 {
			delete(s, keys[i])
		}
	}
	fmt.Println(len(m), hits, len(s))
}
