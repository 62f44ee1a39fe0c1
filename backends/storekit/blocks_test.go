package storekit

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

func TestBlockIDs(t *testing.T) {
	a, b := NewAttempt(), NewAttempt()
	if string(b[:8]) <= string(a[:8]) || b.Began().Before(a.Began()) {
		t.Fatalf("attempts %x, %x: want increasing", a, b)
	}
	for _, r := range []BlockRef{{Part: 1, Attempt: a}, {Part: 10000, Attempt: b, Index: 3}, {Part: 7, Attempt: a, Index: TagIndex, MD5: [16]byte{1, 2, 3}}} {
		id := BlockID("upload-1", r)
		if len(id) != len(BlockID("other", BlockRef{})) {
			t.Fatalf("block IDs of unequal length: %q", id)
		}
		if got, ok := ParseBlockID("upload-1", id); !ok || got != r {
			t.Fatalf("ParseBlockID(%q) = %+v, %v; want %+v", id, got, ok, r)
		}
		if _, ok := ParseBlockID("upload-2", id); ok {
			t.Fatalf("block %q read as another upload's", id)
		}
	}
}

// TestLatestParts: of one part number the tagged attempt begun last wins;
// an untagged attempt (its body failed) and other uploads' blocks never
// show; a missing data block shows as "".
func TestLatestParts(t *testing.T) {
	a1, a2, a3 := NewAttempt(), NewAttempt(), NewAttempt()
	data := func(up string, n int, att Attempt, i int) Block {
		return Block{ID: BlockID(up, BlockRef{Part: n, Attempt: att, Index: i}), Size: 10}
	}
	tag := func(up string, n int, att Attempt, md5 byte) Block {
		return Block{ID: BlockID(up, BlockRef{Part: n, Attempt: att, Index: TagIndex, MD5: [16]byte{md5}}), Size: 1}
	}
	blocks := []Block{
		data("u", 1, a2, 0), data("u", 1, a2, 1), tag("u", 1, a2, 2), // part 1, later attempt
		tag("u", 1, a1, 1), data("u", 1, a1, 0), // part 1, earlier attempt (tagged after)
		data("u", 1, a3, 0),                     // part 1, untagged: its body failed
		data("u", 2, a1, 1), tag("u", 2, a1, 3), // part 2, data block 0 missing
		data("v", 3, a1, 0), tag("v", 3, a1, 4), // another upload's
		{ID: "not-ours", Size: 5},
	}
	got := LatestParts("u", blocks)
	if len(got) != 2 {
		t.Fatalf("LatestParts: %d parts, want 2", len(got))
	}
	p1 := got[1]
	if p1.Attempt != a2 || p1.Size != 20 || len(p1.IDs) != 2 || p1.MD5 != "02000000000000000000000000000000" {
		t.Errorf("part 1 = %+v", p1)
	}
	if p2 := got[2]; len(p2.IDs) != 2 || p2.IDs[0] != "" || p2.IDs[1] == "" {
		t.Errorf("part 2 IDs = %q, want a hole at 0", p2.IDs)
	}
	page := PartsPage(got, 0, 1)
	if !page.Truncated || len(page.Parts) != 1 || !reflect.DeepEqual(page.Parts[0], translate.PartInfo{Number: 1, Size: 20, ETag: p1.MD5, LastModified: a2.Began()}) {
		t.Errorf("PartsPage(0, 1) = %+v", page)
	}
	if page := PartsPage(got, 1, 10); page.Truncated || len(page.Parts) != 1 || page.Parts[0].Number != 2 {
		t.Errorf("PartsPage(1, 10) = %+v", page)
	}
}

func TestIdentMeta(t *testing.T) {
	c := IdentMeta{Prefix: "x_", Own: []string{"mine"}}
	for user, stored := range map[string]string{"ok_1": "ok_1", "a-b": "x_612d62", "1a": "x_3161", "x_y": "x_785f79", "mine": "x_6d696e65", "": "x_"} {
		if got := c.Encode(user); got != stored {
			t.Errorf("Encode(%q) = %q, want %q", user, got, stored)
		}
		if back, ok := c.Decode(strings.ToUpper(stored)); !ok || back != user {
			t.Errorf("Decode(%q) = %q, %v; want %q", stored, back, ok, user)
		}
	}
	if _, ok := c.Decode("MINE"); ok {
		t.Error("an own name was decoded as a client's")
	}
	if _, ok := c.Decode("x_zz"); ok {
		t.Error("a bad encoding was decoded")
	}
}

func TestOnceSeeker(t *testing.T) {
	s := &OnceSeeker{R: bytes.NewReader([]byte("hello")), Size: 5}
	if n, err := s.Seek(0, io.SeekEnd); n != 5 || err != nil {
		t.Fatalf("Seek(end) = %d, %v", n, err)
	}
	if n, err := s.Seek(0, io.SeekStart); n != 0 || err != nil {
		t.Fatalf("Seek(start) before reading = %d, %v", n, err)
	}
	if b, err := io.ReadAll(s); string(b) != "hello" || err != nil {
		t.Fatalf("read %q, %v", b, err)
	}
	if _, err := s.Seek(0, io.SeekStart); err == nil {
		t.Fatal("a rewind after reading was allowed")
	}
}
