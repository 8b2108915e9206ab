package streams

import (
	"context"
	"testing"
)

func TestEnsureGroupCreatesStreamAndIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setup(t)

	for range 2 {
		if err := EnsureGroup(ctx, rdb, testStream, testGroup, ""); err != nil {
			t.Fatalf("EnsureGroup: %v", err)
		}
	}
	groups, err := rdb.XInfoGroups(ctx, testStream).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Name != testGroup || groups[0].LastDeliveredID != "0-0" {
		t.Fatalf("groups = %+v, want one %q group starting at 0-0", groups, testGroup)
	}
}

func TestEnsureGroupReportsOtherErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setup(t)
	if err := rdb.Set(ctx, testStream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := EnsureGroup(ctx, rdb, testStream, testGroup, "0"); err == nil {
		t.Fatal("EnsureGroup on a string key succeeded, want WRONGTYPE")
	}
}
