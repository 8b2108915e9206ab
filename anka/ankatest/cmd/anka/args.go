package main

import (
	"fmt"
	"strings"
)

// flagDef describes one option of a subcommand: its canonical name and
// whether it takes a value.
type flagDef struct {
	name  string
	value bool
}

// spec maps every spelling of an option ("-t", "--tag") to its definition.
type spec map[string]flagDef

// opts holds parsed options by canonical name; boolean options map to "".
type opts map[string][]string

func (o opts) has(name string) bool { _, ok := o[name]; return ok }

func (o opts) get(name string) string {
	if v := o[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// parse splits args into options and positional arguments. With stopAtFirst,
// everything from the first positional argument on is positional, as for
// `run <vm> <command…>`.
func parse(args []string, sp spec, stopAtFirst bool) (opts, []string, error) {
	o := opts{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return o, append(pos, args[i+1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if stopAtFirst {
				return o, append(pos, args[i:]...), nil
			}
			pos = append(pos, a)
			continue
		}
		key, val, inline := strings.Cut(a, "=")
		def, ok := sp[key]
		if !ok {
			return nil, nil, fmt.Errorf("no such option: %s", key)
		}
		if !def.value {
			o[def.name] = append(o[def.name], "")
			continue
		}
		if !inline {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("option %s requires an argument", key)
			}
			i++
			val = args[i]
		}
		o[def.name] = append(o[def.name], val)
	}
	return o, pos, nil
}

// flags builds a spec from "name:-s,--long" style lines; a trailing "=" on
// the name marks an option that takes a value.
func flags(defs ...string) spec {
	sp := spec{}
	for _, d := range defs {
		name, spellings, _ := strings.Cut(d, ":")
		value := strings.HasSuffix(name, "=")
		name = strings.TrimSuffix(name, "=")
		for _, s := range strings.Split(spellings, ",") {
			sp[s] = flagDef{name: name, value: value}
		}
	}
	return sp
}
