package handler

import (
	"errors"
	"fmt"
	"strings"
)

// Label prefixes that select a job's VM template.
const (
	// LabelTemplate names the Anka template: "anka-template:<uuid>".
	// Required; a job without it fails.
	LabelTemplate = "anka-template:"
	// LabelTemplateTag names the template's tag: "anka-template-tag:<tag>".
	// Optional; without it any local tag of the template is used, and a pull
	// fetches the registry's latest.
	LabelTemplateTag = "anka-template-tag:"
)

// ErrNoTemplate reports runs-on labels that do not name a usable template.
var ErrNoTemplate = errors.New("no usable anka-template label")

// Template is the VM template a job asks for.
type Template struct {
	UUID string
	Tag  string // empty: any local tag, or the registry's latest
}

// ParseTemplate reads the template out of a job's runs-on labels. Prefixes
// match case-insensitively and surrounding white space is ignored. It fails
// with an error wrapping [ErrNoTemplate] when there is no template label,
// when one is empty or holds white space, or when two labels disagree.
func ParseTemplate(labels []string) (Template, error) {
	var t Template
	for _, l := range labels {
		l = strings.TrimSpace(l)
		// The tag prefix first: it is not a prefix of the other, but a
		// reader should not have to check that.
		if v, ok := cutPrefixFold(l, LabelTemplateTag); ok {
			if err := setOnce(&t.Tag, v, "anka-template-tag"); err != nil {
				return Template{}, err
			}
			continue
		}
		if v, ok := cutPrefixFold(l, LabelTemplate); ok {
			if err := setOnce(&t.UUID, v, "anka-template"); err != nil {
				return Template{}, err
			}
		}
	}
	if t.UUID == "" {
		return Template{}, fmt.Errorf("%w: runs-on labels %q hold no %s<uuid>",
			ErrNoTemplate, labels, LabelTemplate)
	}
	return t, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

func setOnce(dst *string, v, name string) error {
	switch {
	case v == "" || strings.ContainsAny(v, " \t\r\n"):
		return fmt.Errorf("%w: label %s:%q is empty or holds white space", ErrNoTemplate, name, v)
	case *dst != "" && *dst != v:
		return fmt.Errorf("%w: labels name two values for %s: %q and %q",
			ErrNoTemplate, name, *dst, v)
	}
	*dst = v
	return nil
}
