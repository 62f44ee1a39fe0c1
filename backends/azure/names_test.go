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
		if got := metaNames.Encode(tc.user); got != tc.azure {
			t.Errorf("metaNames.Encode(%q) = %q, want %q", tc.user, got, tc.azure)
		}
		if back, ok := metaNames.Decode(strings.ToUpper(tc.azure)); !ok || back != tc.user {
			t.Errorf("metaNames.Decode(%q) = %q, %v", tc.azure, back, ok)
		}
	}
	if _, ok := metaNames.Decode("BGEXPIRES"); ok {
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
