package streams

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestGroupInfo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 10)
	a := NewConsumer(rdb, testStream, testGroup, "a", ConsumerOptions{})
	b := NewConsumer(rdb, testStream, testGroup, "b", ConsumerOptions{})
	readN(t, a, 3)
	readN(t, b, 1)
	if _, err := a.Ack(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}

	st, err := GroupInfo(ctx, rdb, testStream, testGroup)
	if err != nil {
		t.Fatal(err)
	}
	want := GroupStats{
		Length: 10, Pending: 3, Lag: 6, LastDeliveredID: ids[3], EntriesRead: 4,
		Consumers: 2, OldestPendingID: ids[1],
		PendingByConsumer: map[string]int64{"a": 2, "b": 1},
	}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("GroupInfo = %+v,\nwant %+v", st, want)
	}

	// After an unread entry is deleted Redis cannot tell the lag.
	if err := rdb.XDel(ctx, testStream, ids[7]).Err(); err != nil {
		t.Fatal(err)
	}
	if st, err = GroupInfo(ctx, rdb, testStream, testGroup); err != nil || st.Lag != -1 {
		t.Fatalf("GroupInfo after XDEL = %+v, %v; want Lag -1", st, err)
	}

	for _, tc := range []struct{ stream, group string }{
		{testStream, "nobody"}, {"anklet:{test}:missing", testGroup},
	} {
		if _, err := GroupInfo(ctx, rdb, tc.stream, tc.group); !errors.Is(err, ErrNoGroup) {
			t.Errorf("GroupInfo(%s, %s) = %v, want ErrNoGroup", tc.stream, tc.group, err)
		}
	}
}
