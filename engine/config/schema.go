package config

import (
	"reflect"
	"sort"
	"strings"
)

// schema lists the leaf keys a section of the YAML accepts, with the Go
// type each decodes into. Nested keys are joined with ".", so "log.file_dir"
// and "database.url" are leaves. It is derived from the yaml tags so that a
// new field needs no second list.
type schema map[string]reflect.Type

var (
	configSchema = schemaOf(reflect.TypeFor[Config](), "")
	pluginSchema = schemaOf(reflect.TypeFor[Plugin](), "")
)

// flatPrefix is the tag option of a struct whose keys are written flat with
// the field's name as prefix, as the global_database_* keys are.
const flatOption = "flat"

func schemaOf(t reflect.Type, prefix string) schema {
	s := schema{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || name == "plugins" {
			continue
		}
		if f.Type.Kind() != reflect.Struct {
			s[prefix+name] = f.Type
			continue
		}
		sep := "."
		if opts == flatOption {
			sep = "_"
		}
		for k, v := range schemaOf(f.Type, prefix+name+sep) {
			s[k] = v
		}
	}
	return s
}

// isSection reports whether path names a nested block (such as "metrics"
// or "database") rather than a leaf.
func (s schema) isSection(path string) bool {
	for k := range s {
		if strings.HasPrefix(k, path+".") {
			return true
		}
	}
	return false
}

// sortedKeys returns the leaf keys in order.
func (s schema) sortedKeys() []string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// flatGroups lists the flat-prefixed struct fields of Config, such as
// "global_database", so their keys can be nested before decoding.
func flatGroups() []string {
	var groups []string
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if opts == flatOption {
			groups = append(groups, name)
		}
	}
	return groups
}
