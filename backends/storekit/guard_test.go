package storekit

import (
	"context"
	"slices"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// pagedDriver answers List from pages by token, as a store paging by
// opaque tokens that ignores where to start; it refuses bucket names
// with a dot. Its other methods are never called by these tests.
type pagedDriver struct {
	Driver
	pages map[string]ListResult
	calls []string
}

func (d *pagedDriver) List(ctx context.Context, bucket string, req ListRequest) (ListResult, error) {
	d.calls = append(d.calls, req.Token)
	r := d.pages[req.Token] // each call's own, as an SDK's
	r.Objects, r.Prefixes = slices.Clone(r.Objects), slices.Clone(r.Prefixes)
	return r, nil
}

func (d *pagedDriver) CheckBucket(bucket string) error {
	if slices.Contains([]byte(bucket), '.') {
		return &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: bucket}
	}
	return nil
}

func (d *pagedDriver) Abilities() Abilities { return Abilities{Name: "paged"} }

func objs(keys ...string) []translate.ObjectInfo {
	var out []translate.ObjectInfo
	for _, k := range keys {
		out = append(out, translate.ObjectInfo{Key: k})
	}
	return out
}

// TestGuardedList: entries up to StartAfter are dropped, and a page left
// empty but truncated is followed by its token; a bucket the driver
// refuses never reaches it (NoSuchBucket, or CreateBucket's own error).
func TestGuardedList(t *testing.T) {
	d := &pagedDriver{pages: map[string]ListResult{
		"":   {Objects: objs("a", "b"), Prefixes: []string{"b/"}, Truncated: true, NextToken: "t1"},
		"t1": {Objects: objs("c", "d"), Truncated: true, NextToken: "t2"},
		"t2": {Objects: objs("e")},
	}}
	g := newGuarded(d)
	res, err := g.List(t.Context(), "bk", ListRequest{StartAfter: "d", Max: 2})
	if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != "e" || len(res.Prefixes) != 0 || res.Truncated {
		t.Fatalf("List after d = %+v, %v", res, err)
	}
	if !slices.Equal(d.calls, []string{"", "t1", "t2"}) {
		t.Fatalf("pages read: %q", d.calls)
	}
	res, err = g.List(t.Context(), "bk", ListRequest{StartAfter: "a", Max: 2})
	if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != "b" || !slices.Equal(res.Prefixes, []string{"b/"}) || res.NextToken != "t1" {
		t.Fatalf("List after a = %+v, %v", res, err)
	}
	d.calls = nil
	if _, err := g.List(t.Context(), "a.b", ListRequest{Max: 2}); translate.CodeOf(err) != translate.ErrNoSuchBucket || len(d.calls) != 0 {
		t.Fatalf("List of a refused bucket = %v (driver called %d times)", err, len(d.calls))
	}
	if err := g.CreateBucket(t.Context(), "a.b"); translate.CodeOf(err) != translate.ErrInvalidBucketName {
		t.Fatalf("CreateBucket of a refused name = %v", err)
	}
}
