package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	envprovider "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// DefaultPath is ~/.config/anklet/ followed by $ANKLET_CONFIG_FILE_NAME, or
// config.yml when that is unset.
func DefaultPath() string {
	return defaultPath(os.Environ())
}

func defaultPath(environ []string) string {
	env := newEnvironment(environ)
	name, ok := env.lookup(EnvConfigFileName)
	if !ok {
		name = "config.yml"
	}
	return filepath.Join(homeDir(env), ".config", "anklet", name)
}

// Load reads the YAML file at path (none when path is empty), applies the
// environment (environ, in os.Environ form; it wins over the file), fills
// in defaults and validates the result.
//
// It fails with a plain error when the file cannot be read or parsed, and
// with [Problems] listing every problem found otherwise: unknown or retired
// keys, values of the wrong type, malformed environment variables and
// everything [Config.Validate] reports.
func Load(path string, environ []string) (*Config, error) {
	k := koanf.New(".")
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("read config %s: %w", path, err)
		}
	}
	return assemble(k, newEnvironment(environ), nil)
}

// assemble merges the file's keys (k), the environment and extra plugin
// entries into a validated Config.
func assemble(k *koanf.Koanf, env *environment, extra []map[string]any) (*Config, error) {
	var problems Problems

	fileKeys := k.Raw()
	delete(fileKeys, "plugins")
	problems = append(problems, checkKeys("", fileKeys, configSchema, retiredKeys, "")...)
	plugins, p := pluginEntries(k.Get("plugins"))
	problems = append(problems, p...)
	plugins = append(plugins, extra...)

	if err := k.Load(env.globalProvider(), nil); err != nil {
		return nil, fmt.Errorf("read environment: %w", err)
	}
	raw := k.Raw()
	if err := applyDefaults(raw, env); err != nil {
		return nil, err
	}
	list := make([]any, len(plugins))
	for i, m := range plugins {
		env.applyPlugin(m)
		applyPluginDefaults(m, raw)
		list[i] = m
	}
	raw["plugins"] = list

	c, p := decode(raw)
	problems = append(problems, env.problems...)
	problems = append(problems, p...)
	if c == nil {
		return nil, problems
	}
	c.finish(homeDir(env))
	c.Warnings = env.unusedWarnings()

	c.loadProblems = problems
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// pluginEntries checks the plugins list and returns a copy of each entry.
func pluginEntries(v any) ([]map[string]any, []string) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, []string{"plugins: must be a list of plugin entries"}
	}
	var entries []map[string]any
	var problems []string
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("plugins[%d]: must be a block of keys", i))
			continue
		}
		where := fmt.Sprintf("plugins[%d]: ", i)
		if name, ok := m["name"].(string); ok && name != "" {
			where = fmt.Sprintf("plugin %q: ", name)
		}
		problems = append(problems, checkKeys(where, m, pluginSchema, retiredPluginKeys, "")...)
		entries = append(entries, copyMap(m))
	}
	return entries, problems
}

// globalProvider feeds the top-level variables (ANKLET_WORK_DIR,
// ANKLET_METRICS_PORT, ...) to koanf, already converted to their types.
func (e *environment) globalProvider() *envprovider.Env {
	names := map[string]string{}
	for _, key := range configSchema.sortedKeys() {
		names[globalEnvName(key)] = key
	}
	return envprovider.Provider(".", envprovider.Opt{
		EnvironFunc: func() []string {
			var out []string
			for name := range names {
				if _, ok := e.vars[name]; ok {
					out = append(out, name+"="+e.vars[name])
				}
			}
			return out
		},
		TransformFunc: func(name, _ string) (string, any) {
			key := names[name]
			v, ok := e.get(name, configSchema[key])
			if !ok {
				return "", nil
			}
			return key, v
		},
	})
}

// applyPlugin sets a plugin entry's keys from ANKLET_JOB_RETRY_ATTEMPTS and
// from the plugin's own <NAME>_<KEY> variables, in that order.
func (e *environment) applyPlugin(m map[string]any) {
	if v, ok := e.get(EnvJobRetryAttempts, pluginSchema["job_retry_attempts"]); ok {
		m["job_retry_attempts"] = v
	}
	name, _ := m["name"].(string)
	if name == "" {
		return
	}
	prefix := EnvPrefix(name)
	for _, key := range pluginSchema.sortedKeys() {
		if key == "name" {
			continue
		}
		if v, ok := e.get(pluginEnvName(prefix, key), pluginSchema[key]); ok {
			setPath(m, key, v)
		}
	}
}

// homeDir is $HOME from the given environment, else the user's home.
func homeDir(env *environment) string {
	if h, ok := env.vars["HOME"]; ok && h != "" {
		return h
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "/"
	}
	return h
}

// expandHome turns a leading "~/" (or a lone "~") into home.
func expandHome(path, home string) string {
	if path == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		return filepath.Join(home, rest)
	}
	return path
}

// setPath sets a dotted key in nested maps, creating blocks as needed. A
// block that is not a map (already reported by checkKeys) is replaced.
func setPath(m map[string]any, key string, v any) {
	head, rest, nested := strings.Cut(key, ".")
	if !nested {
		m[key] = v
		return
	}
	sub, ok := m[head].(map[string]any)
	if !ok {
		sub = map[string]any{}
		m[head] = sub
	}
	setPath(sub, rest, v)
}

// hasPath reports whether a dotted key is present in nested maps.
func hasPath(m map[string]any, key string) bool {
	head, rest, nested := strings.Cut(key, ".")
	v, ok := m[head]
	if !ok || !nested {
		return ok
	}
	sub, isMap := v.(map[string]any)
	return isMap && hasPath(sub, rest)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = copyMap(sub)
		}
		out[k] = v
	}
	return out
}
