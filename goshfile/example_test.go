package goshfile_test

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/goshfile"
)

func ExampleParse() {
	f, err := goshfile.Parse("goshfile.yaml", []byte(`apiVersion: 1
image: bash:latest
steps:
  - name: print date
    run:
      command: ["/usr/local/bin/bash"]
      args: ["-c", "date | tee /message.txt"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Image, f.Steps[0].Name, f.Steps[0].Run.Command)
	// Output: bash:latest print date [/usr/local/bin/bash]
}

func ExampleParse_errors() {
	_, err := goshfile.Parse("goshfile.yaml", []byte(`apiVersion: 1
image: bash:latest
steps:
  - name: print date
    run:
      command: /usr/local/bin/bash
      arg: [-c, date]
`))
	fmt.Println(err)
	// Output:
	// goshfile.yaml:6:16: step 1 command must be a list of strings, found "/usr/local/bin/bash"
	// goshfile.yaml:7:7: unknown field "arg" in step 1 run (did you mean "args"?)
}
