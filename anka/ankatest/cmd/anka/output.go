package main

import (
	"encoding/json"
	"fmt"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

func emitFault(e *env, f *state.Fault, machine bool) int {
	if f.Raw != "" {
		fmt.Fprint(e.stdout, f.Raw)
		return f.ExitCode
	}
	r := fail(f.Code, "%s", f.Message)
	if f.ExitCode != 0 {
		r.exitCode = f.ExitCode
	}
	return emit(e, r, machine)
}

// emit writes the reply: with -j as one JSON line and no trailing newline,
// like the real CLI; otherwise as readable text.
func emit(e *env, r reply, machine bool) int {
	if !machine {
		if r.failed {
			fmt.Fprintln(e.stderr, r.message)
			return r.exitCode
		}
		b, _ := json.MarshalIndent(r.body, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n%s\n", b, r.message)
		return r.exitCode
	}

	out := map[string]any{"status": "OK", "body": r.body, "message": r.message, "code": 0}
	if r.body == nil {
		out["body"] = map[string]any{}
	}
	if r.failed {
		out["status"] = "ERROR"
		out["code"] = r.code
		out["exception_type"] = exceptionOf(r.code)
	}
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintf(e.stderr, "anka (fake): encode reply: %v\n", err)
		return 2
	}
	fmt.Fprint(e.stdout, string(b))
	return r.exitCode
}

func exceptionOf(code int) string {
	switch code {
	case codeNotFound:
		return "AnkaVMNotFoundException"
	case codeExists:
		return "AnkaNameAlreadyExistsException"
	}
	return "AnkaException"
}
