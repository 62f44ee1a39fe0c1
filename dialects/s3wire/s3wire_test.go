package s3wire

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestObjectEntryOrder pins the two element orders of a listing entry.
func TestObjectEntryOrder(t *testing.T) {
	ow := (&Profile{}).Owner("ak")
	e := ObjectEntry{Key: "k", LastModified: "t", ETag: `"e"`, Size: 1, StorageClass: "STANDARD", Owner: &ow}
	for _, tt := range []struct {
		ownerFirst bool
		want       string
	}{
		{false, `<Contents><Key>k</Key><LastModified>t</LastModified><ETag>&#34;e&#34;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Owner><ID>` + OwnerID("ak") + `</ID><DisplayName>ak</DisplayName></Owner></Contents>`},
		{true, `<Contents><Key>k</Key><LastModified>t</LastModified><ETag>&#34;e&#34;</ETag><Size>1</Size><Owner><ID>` + OwnerID("ak") + `</ID><DisplayName>ak</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`},
	} {
		e.OwnerFirst = tt.ownerFirst
		out, err := xml.Marshal(struct {
			XMLName  xml.Name      `xml:"R"`
			Contents []ObjectEntry `xml:"Contents"`
		}{Contents: []ObjectEntry{e}})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out); got != "<R>"+tt.want+"</R>" {
			t.Errorf("OwnerFirst=%v:\n got %s\nwant <R>%s</R>", tt.ownerFirst, got, tt.want)
		}
	}
}

// TestOwnerDisplayName pins when an empty DisplayName is sent.
func TestOwnerDisplayName(t *testing.T) {
	for _, tt := range []struct {
		omit bool
		id   string
		want string
	}{
		{false, "", `<Owner><ID></ID><DisplayName></DisplayName></Owner>`},
		{true, "", `<Owner><ID></ID></Owner>`},
		{true, "ak", `<Owner><ID>` + OwnerID("ak") + `</ID><DisplayName>ak</DisplayName></Owner>`},
	} {
		out, _ := xml.Marshal((&Profile{OmitEmptyDisplayName: tt.omit}).Owner(tt.id))
		if string(out) != tt.want {
			t.Errorf("omit=%v id=%q: %s, want %s", tt.omit, tt.id, out, tt.want)
		}
	}
}

// TestOwnerID pins the canonical user ID: 64 hex digits, the same for one
// key every time, different for another, never the key itself.
func TestOwnerID(t *testing.T) {
	a, b := OwnerID("AKIDEXAMPLE"), OwnerID("AKIDOTHER")
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("OwnerID = %q, want 64 lowercase hex digits", a)
	}
	if a != OwnerID("AKIDEXAMPLE") || a == b || strings.Contains(a, "AKIDEXAMPLE") {
		t.Fatalf("OwnerID not stable or not distinct: %q %q", a, b)
	}
	if OwnerID("") != "" {
		t.Fatal("OwnerID of no caller is not empty")
	}
}
