package azure

import (
	"strings"
	"testing"
)

func TestMetaNames(t *testing.T) {
	tests := []struct{ user, azure string }{
		{"plain", "plain"},
		{"with_underscore", "with_underscore"},
		{"with-dash", "bgx_776974682d64617368"},
		{"9lives", "bgx_396c69766573"},
		{"bgx_trap", "bgx_6267785f74726170"},
		{"bgexpires", "bgx_626765787069726573"},
		{"bgredirect", "bgx_62677265646972656374"},
		{"ünï", "bgx_c3bc6ec3af"},
	}
	for _, tc := range tests {
		if got := metaName(tc.user); got != tc.azure {
			t.Errorf("metaName(%q) = %q, want %q", tc.user, got, tc.azure)
		}
		if back, ok := userName(strings.ToUpper(tc.azure)); !ok || back != tc.user {
			t.Errorf("userName(%q) = %q, %v", tc.azure, back, ok)
		}
	}
	if _, ok := userName("BGEXPIRES"); ok {
		t.Error("the driver's own metadata name was taken for the client's")
	}
}

func TestContainerName(t *testing.T) {
	d := &Driver{opts: Options{ContainerPrefix: "gw-"}}
	for bucket, want := range map[string]string{"abc": "gw-abc", "a-b-c": "gw-a-b-c", "a.b": "", "a--b": "", "ab-": "", "x": "gw-x",
		strings.Repeat("a", 61): ""} {
		got, err := d.containerName(bucket)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("containerName(%q) = %q, %v; want %q", bucket, got, err, want)
		}
	}
}

func TestBlockIDs(t *testing.T) {
	a, b := newAttempt(), newAttempt()
	if string(b[:8]) <= string(a[:8]) || b.began().Before(a.began()) {
		t.Fatalf("attempts %x, %x: want increasing", a, b)
	}
	for _, r := range []blockRef{{n: 1, att: a}, {n: 10000, att: b, index: 3}, {n: 7, att: a, index: tagIndex, md5: [16]byte{1, 2, 3}}} {
		id := blockID("upload-1", r)
		if len(id) != len(blockID("other", blockRef{})) {
			t.Fatalf("block IDs of unequal length: %q", id)
		}
		if got, ok := parseBlockID("upload-1", id); !ok || got != r {
			t.Fatalf("parseBlockID(%q) = %+v, %v; want %+v", id, got, ok, r)
		}
		if _, ok := parseBlockID("upload-2", id); ok {
			t.Fatalf("block %q read as another upload's", id)
		}
	}
}
