package engine

import (
	"embed"
	"fmt"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"
)

//go:embed scripts/*.lua
var scriptFiles embed.FS

// The engine's scripts. Each runs with scripts/common.lua prepended.
var (
	enqueueScript    = loadScript("enqueue.lua")
	transitionScript = loadScript("transition.lua")
	requeueScript    = loadScript("requeue.lua")
	deadLetterScript = loadScript("deadletter.lua")
)

func loadScript(name string) *redis.Script {
	common, body := scriptSource(name)
	return redis.NewScript(common + "\n" + body)
}

// scriptSource returns scripts/common.lua and script name's body.
func scriptSource(name string) (common, body string) {
	c, err := scriptFiles.ReadFile("scripts/common.lua")
	if err != nil {
		panic(err)
	}
	b, err := scriptFiles.ReadFile("scripts/" + name)
	if err != nil {
		panic(err)
	}
	return string(c), string(b)
}

// scriptReply is what every script returns: a status word, then either the
// job hash as name, value pairs or, for a conflict, state, version, work_id.
type scriptReply struct {
	status string
	rest   []string
}

func parseReply(v any) (scriptReply, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return scriptReply{}, fmt.Errorf("unexpected script reply %v", v)
	}
	r := scriptReply{rest: make([]string, 0, len(list)-1)}
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return scriptReply{}, fmt.Errorf("unexpected script reply element %d: %v", i, x)
		}
		if i == 0 {
			r.status = s
		} else {
			r.rest = append(r.rest, s)
		}
	}
	return r, nil
}

// hash returns the reply's job hash.
func (r scriptReply) hash() map[string]string {
	m := make(map[string]string, len(r.rest)/2)
	for i := 0; i+1 < len(r.rest); i += 2 {
		m[r.rest[i]] = r.rest[i+1]
	}
	return m
}

// conflict returns the reply of a 'conflict' status as an error.
func (r scriptReply) conflict(jobID int64) error {
	c := &ConflictError{JobID: jobID}
	if len(r.rest) == 3 {
		c.State = EventType(r.rest[0])
		c.Version, _ = strconv.ParseInt(r.rest[1], 10, 64)
		c.WorkID = r.rest[2]
	}
	return c
}

// attrArgs returns attrs as sorted name, value script arguments.
func attrArgs(attrs map[string]string) []any {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]any, 0, 2*len(names))
	for _, k := range names {
		out = append(out, k, attrs[k])
	}
	return out
}
