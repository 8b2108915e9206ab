package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// EnvJobRetryAttempts sets job_retry_attempts for every plugin; a plugin's
// own <NAME>_JOB_RETRY_ATTEMPTS still wins.
const EnvJobRetryAttempts = "ANKLET_JOB_RETRY_ATTEMPTS"

// EnvConfigFileName names the file [DefaultPath] looks for.
const EnvConfigFileName = "ANKLET_CONFIG_FILE_NAME"

// retiredEnv are variables the original documented but never read.
var retiredEnv = map[string]string{
	"ANKLET_METRICS_URLS":             "the aggregator reads every host's metrics from Redis",
	"ANKLET_METRICS_DATABASE_ENABLED": "the aggregator always reads metrics from Redis",
}

// environment is the process environment as a map, with the bookkeeping to
// report variables that were malformed or that nothing read.
type environment struct {
	vars     map[string]string
	used     map[string]bool
	problems []string
}

func newEnvironment(environ []string) *environment {
	e := &environment{vars: map[string]string{}, used: map[string]bool{}}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e.vars[k] = v
		}
	}
	return e
}

// lookup returns the variable's value; an empty value counts as unset, so
// `NAME=` in a unit file does not blank a setting.
func (e *environment) lookup(name string) (string, bool) {
	v, ok := e.vars[name]
	if !ok || v == "" {
		return "", false
	}
	e.used[name] = true
	return v, true
}

// get parses variable name into a value of type t, recording a problem that
// names the variable when it does not parse.
func (e *environment) get(name string, t reflect.Type) (any, bool) {
	raw, ok := e.lookup(name)
	if !ok {
		return nil, false
	}
	v, err := parseValue(raw, t)
	if err != nil {
		e.problems = append(e.problems, fmt.Sprintf("%s: %v", name, err))
		return nil, false
	}
	return v, true
}

// parseValue converts an environment value to t: lists are comma
// separated, booleans are true or false (or 1, 0, t, f).
func parseValue(raw string, t reflect.Type) (any, error) {
	s := strings.TrimSpace(raw)
	switch t.Kind() {
	case reflect.String:
		return raw, nil
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", raw)
		}
		return b, nil
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", raw)
		}
		return n, nil
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		return f, nil
	case reflect.Slice:
		var list []any
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		return list, nil
	}
	return nil, fmt.Errorf("values of type %s cannot come from the environment", t)
}

// globalEnvName is the variable for a top-level key: ANKLET_ and the key's
// path upper-cased with dots as underscores (metrics.port → ANKLET_METRICS_PORT).
func globalEnvName(key string) string {
	return "ANKLET_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// EnvPrefix is the prefix of a plugin's environment variables: the name
// upper-cased, every character other than A-Z and 0-9 turned into "_", and
// a final "_". "my-runner.1" gives "MY_RUNNER_1_", read as MY_RUNNER_1_TOKEN,
// MY_RUNNER_1_DATABASE_URL and so on.
func EnvPrefix(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + "_"
}

// pluginEnvName is the variable for a plugin key: database.url under prefix
// P_ is P_DATABASE_URL.
func pluginEnvName(prefix, key string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// unusedWarnings lists ANKLET_ variables nothing read. except holds names
// read elsewhere.
func (e *environment) unusedWarnings(except ...string) []string {
	skip := map[string]bool{EnvConfigFileName: true}
	for _, n := range except {
		skip[n] = true
	}
	var names []string
	for k, v := range e.vars {
		if strings.HasPrefix(k, "ANKLET_") && v != "" && !e.used[k] && !skip[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)

	var warnings []string
	for _, n := range names {
		if why, ok := retiredEnv[n]; ok {
			warnings = append(warnings,
				fmt.Sprintf("environment variable %s has no effect: %s", n, why))
			continue
		}
		warnings = append(warnings,
			fmt.Sprintf("environment variable %s is not a setting Anklet reads", n))
	}
	return warnings
}
