// json: encoding/json round trip (reflection-heavy code, maps, slices, nested structs).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
)

type Point struct {
	X, Y float64
}

type Shape struct {
	Name     string            `json:"name"`
	Sides    int               `json:"sides"`
	Vertices []Point           `json:"vertices"`
	Tags     map[string]string `json:"tags,omitempty"`
	Closed   bool              `json:"closed"`
	Parent   *Shape            `json:"parent,omitempty"`
	Note     string            `json:"-"`
}

func main() {
	in := Shape{
		Name:     "triangle \"Δ\" <&>",
		Sides:    3,
		Vertices: []Point{{0, 0}, {1.5, 0}, {0.75, -1e-3}},
		Tags:     map[string]string{"color": "red", "alpha": "0.5", "z": ""},
		Closed:   true,
		Parent:   &Shape{Name: "plane", Sides: -1},
		Note:     "not serialised",
	}
	b, err := json.Marshal(in)
	if err != nil {
		fmt.Println("marshal:", err)
		os.Exit(1)
	}
	fmt.Println(string(b))
	var out Shape
	if err := json.Unmarshal(b, &out); err != nil {
		fmt.Println("unmarshal:", err)
		os.Exit(1)
	}
	in.Note = ""
	fmt.Println("round trip equal:", reflect.DeepEqual(in, out))

	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		fmt.Println("unmarshal generic:", err)
		os.Exit(1)
	}
	pretty, _ := json.MarshalIndent(generic["vertices"], "", "  ")
	fmt.Println(string(pretty))
	var bad Shape
	err = json.Unmarshal([]byte(`{"sides": "three"}`), &bad)
	fmt.Println("type error:", err)
}
