// Command cmd prints types_gen.go for the OpenAPI document named by its argument.
package main

import (
	"fmt"
	"os"

	"github.com/imagegen/imagegen-go/internal/gentypes"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/gentypes/cmd path/to/openapi.json > types_gen.go")
		os.Exit(2)
	}
	openapi, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	source, err := gentypes.Render(openapi)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(source)
}
