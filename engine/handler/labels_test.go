package handler

import (
	"errors"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	const id = "c0847bc9-5d2d-4dbc-ba6a-240f7ff08032"
	tests := []struct {
		name   string
		labels []string
		want   Template
		err    bool
	}{
		{"uuid and tag", []string{"self-hosted", "anka-template:" + id, "anka-template-tag:v2"},
			Template{UUID: id, Tag: "v2"}, false},
		{"uuid only", []string{"anka-template:" + id}, Template{UUID: id}, false},
		{"tag before uuid", []string{"anka-template-tag:v2", "anka-template:" + id},
			Template{UUID: id, Tag: "v2"}, false},
		{"prefix in another case", []string{"Anka-Template:" + id, "ANKA-TEMPLATE-TAG:t"},
			Template{UUID: id, Tag: "t"}, false},
		{"white space around", []string{"  anka-template:" + id + " "}, Template{UUID: id}, false},
		{"same uuid twice", []string{"anka-template:" + id, "anka-template:" + id},
			Template{UUID: id}, false},
		{"no labels", nil, Template{}, true},
		{"tag only", []string{"anka-template-tag:v2"}, Template{}, true},
		{"empty uuid", []string{"anka-template:"}, Template{}, true},
		{"empty tag", []string{"anka-template:" + id, "anka-template-tag:"}, Template{}, true},
		{"two uuids", []string{"anka-template:a", "anka-template:b"}, Template{}, true},
		{"two tags", []string{"anka-template:a", "anka-template-tag:x", "anka-template-tag:y"},
			Template{}, true},
		{"space inside", []string{"anka-template:a b"}, Template{}, true},
		{"substring only", []string{"my-anka-template:" + id}, Template{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTemplate(tt.labels)
			if tt.err {
				if !errors.Is(err, ErrNoTemplate) {
					t.Fatalf("ParseTemplate(%q) = %+v, %v; want ErrNoTemplate", tt.labels, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseTemplate(%q) = %+v, %v; want %+v", tt.labels, got, err, tt.want)
			}
		})
	}
}
