package streams

import (
	"embed"
	"fmt"

	"github.com/redis/go-redis/v9"
)

//go:embed scripts/*.lua
var scriptFiles embed.FS

// The Lua scripts, one per file under scripts/. Run sends EVALSHA and falls
// back to EVAL when the server does not know the script yet (first use, or
// after a restart).
var (
	trimScript       = loadScript("trim.lua")
	extendScript     = loadScript("extend.lua")
	requeueScript    = loadScript("requeue.lua")
	deadLetterScript = loadScript("deadletter.lua")
)

func loadScript(name string) *redis.Script {
	b, err := scriptFiles.ReadFile("scripts/" + name)
	if err != nil {
		panic(fmt.Sprintf("streams: embedded script %s: %v", name, err))
	}
	return redis.NewScript(string(b))
}

// scriptStatus splits a script's reply {status, detail...} into its status
// and the rest.
func scriptStatus(v any) (string, []any, error) {
	reply, ok := v.([]any)
	if !ok || len(reply) == 0 {
		return "", nil, fmt.Errorf("unexpected script reply %v", v)
	}
	status, ok := reply[0].(string)
	if !ok {
		return "", nil, fmt.Errorf("unexpected script status %v", reply[0])
	}
	return status, reply[1:], nil
}
