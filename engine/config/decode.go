package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-viper/mapstructure/v2"
)

// decode turns the merged keys into a Config. It returns one problem line
// per value of the wrong type, naming the key as the file spells it.
func decode(raw map[string]any) (*Config, []string) {
	nestFlatGroups(raw)

	var c Config
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		TagName:          "yaml",
		WeaklyTypedInput: true,
		DecodeHook:       mapstructure.StringToSliceHookFunc(","),
		Result:           &c,
	})
	if err != nil {
		return nil, []string{fmt.Sprintf("internal: build decoder: %v", err)}
	}
	if err := dec.Decode(raw); err != nil {
		return &c, decodeProblems(err, raw)
	}
	return &c, nil
}

// nestFlatGroups moves flat keys such as global_database_url into a nested
// global_database block, the shape the struct decodes from.
func nestFlatGroups(raw map[string]any) {
	for _, group := range flatGroups() {
		nested := map[string]any{}
		for k, v := range raw {
			if sub, ok := strings.CutPrefix(k, group+"_"); ok {
				nested[sub] = v
				delete(raw, k)
			}
		}
		raw[group] = nested
	}
}

// decodeProblems flattens mapstructure's joined errors into lines.
func decodeProblems(err error, raw map[string]any) []string {
	var lines []string
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *mapstructure.DecodeError:
			lines = append(lines, describeKey(e.Name(), raw)+": "+typeMessage(e.Unwrap()))
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		default:
			lines = append(lines, err.Error())
		}
	}
	walk(err)
	return lines
}

var pluginIndex = regexp.MustCompile(`^plugins\[(\d+)\]\.?`)

// describeKey turns a decoder path back into the file's spelling:
// global_database.url is global_database_url, and plugins[2].port is
// `plugin "name": port`.
func describeKey(name string, raw map[string]any) string {
	for _, group := range flatGroups() {
		if rest, ok := strings.CutPrefix(name, group+"."); ok {
			return group + "_" + rest
		}
	}
	m := pluginIndex.FindStringSubmatch(name)
	if m == nil {
		return name
	}
	i, _ := strconv.Atoi(m[1])
	rest := name[len(m[0]):]
	label := fmt.Sprintf("plugins[%d]", i)
	if list, ok := raw["plugins"].([]any); ok && i < len(list) {
		if pm, ok := list[i].(map[string]any); ok {
			if n, ok := pm["name"].(string); ok && n != "" {
				label = fmt.Sprintf("plugin %q", n)
			}
		}
	}
	if rest == "" {
		return label
	}
	return label + ": " + rest
}

// typeMessage says what was wrong with a value without echoing it, since
// the value might be a secret written under the wrong key.
func typeMessage(err error) string {
	var pe *mapstructure.ParseError
	if errors.As(err, &pe) {
		return "expected " + kindWord(pe.Expected.Type())
	}
	var ue *mapstructure.UnconvertibleTypeError
	if errors.As(err, &ue) {
		return fmt.Sprintf("expected %s, got %s", kindWord(ue.Expected.Type()),
			kindWord(reflect.TypeOf(ue.Value)))
	}
	return err.Error()
}

func kindWord(t reflect.Type) string {
	if t == nil {
		return "nothing"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a block of keys"
	}
	return t.String()
}
