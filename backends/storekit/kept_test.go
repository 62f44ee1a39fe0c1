package storekit

import (
	"crypto/rand"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// update rewrites the golden files: go test ./backends/storekit -run Kept -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// keptCases are entries of every shape, named.
var keptCases = []struct {
	name string
	k    Kept
}{
	{"empty", Kept{}},
	{"annex", Kept{Annex: true}},
	{"put on S3", Kept{Checksums: translate.Checksums{translate.CRC64ECMA: "pC6R6pnqaRg=", translate.CRC64NVME: "nu9W0UHd8PI="},
		ChecksumType: translate.ChecksumFullObject}},
	{"etag differs", Kept{ETag: "9e107d9d372bb6826bd81d3542a419d6", Checksums: translate.Checksums{translate.CRC32: "AAAAAA=="},
		ChecksumType: translate.ChecksumFullObject}},
	{"copy of a multipart object", Kept{Annex: true, ETag: "0123456789abcdef0123456789abcdef-3"}},
	{"composite", Kept{Checksums: translate.Checksums{translate.SHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=-2"},
		ChecksumType: translate.ChecksumComposite}},
	{"no type", Kept{Checksums: translate.Checksums{translate.SHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}}},
	{"every algorithm", Kept{ETag: "d41d8cd98f00b204e9800998ecf8427e", Checksums: translate.Checksums{
		translate.CRC32: "AAAAAA==", translate.CRC32C: "AAAAAA==", translate.CRC64NVME: "AAAAAAAAAAA=", translate.CRC64ECMA: "AAAAAAAAAAA=",
		translate.SHA1: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=", translate.SHA256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		translate.SHA512: strings.Repeat("A", 86) + "==", translate.MD5: "1B2M2Y8AsgTpgAmY7PhCfg==",
		translate.XXHASH64: "AAAAAAAAAAA=", translate.XXHASH3: "AAAAAAAAAAA=", translate.XXHASH128: "AAAAAAAAAAAAAAAAAAAAAA=="},
		ChecksumType: translate.ChecksumFullObject}},
}

// TestKeptRoundTrip: every entry decodes to what was encoded.
func TestKeptRoundTrip(t *testing.T) {
	for _, tc := range keptCases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := tc.k.Encode()
			if !ok {
				t.Fatalf("Encode(%+v) not ok", tc.k)
			}
			got, ok := ParseKept(s)
			if !ok || !reflect.DeepEqual(got, tc.k) {
				t.Errorf("ParseKept(%q) = %+v, %v; want %+v", s, got, ok, tc.k)
			}
		})
	}
}

// TestKeptGolden pins the on-store form: objects already written must stay
// readable, so it does not change.
func TestKeptGolden(t *testing.T) {
	var sb strings.Builder
	for _, tc := range keptCases {
		s, _ := tc.k.Encode()
		sb.WriteString(tc.name + "\t" + s + "\n")
	}
	file := filepath.Join("testdata", "kept.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if sb.String() != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", file, sb.String(), want)
	}
	// Every golden line still decodes (the form is read back by later
	// versions).
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		name, s, _ := strings.Cut(line, "\t")
		if _, ok := ParseKept(s); !ok {
			t.Errorf("golden %q: %q does not decode", name, s)
		}
	}
}

// TestKeptRefused: values a header cannot carry are refused by Encode (the
// kit then keeps an annex), and malformed or foreign entries by ParseKept
// (the reader then looks the annex up).
func TestKeptRefused(t *testing.T) {
	for _, k := range []Kept{
		{ETag: "ab;cd"},
		{ETag: "é"},
		{Checksums: translate.Checksums{translate.CRC32: "AA;t=F"}},
		{Checksums: translate.Checksums{translate.CRC32: "AA AA"}},
		{Checksums: translate.Checksums{translate.CRC32: "AA\r\nX-Evil: 1"}},
		{Checksums: translate.Checksums{translate.CRC32: ""}},
		{Checksums: translate.Checksums{"crc32": "AAAAAA=="}},
		{Checksums: translate.Checksums{"CRC=32": "AAAAAA=="}},
		{Checksums: translate.Checksums{translate.CRC32: "AAAAAA=="}, ChecksumType: "MIXED"},
	} {
		if s, ok := k.Encode(); ok {
			t.Errorf("Encode(%+v) = %q, ok; want refused", k, s)
		}
	}
	for _, s := range []string{
		"", "0", "2", "2;a", "1;", "1;a=1", "1;b", "1;e=", "1;e=a;b", "1;t=X;CRC32=AAAAAA==", "1;t=F",
		"1;CRC32=", "1;crc32=AAAAAA==", "1;CRC32=AA AA", "1 ;a", "v1;a", "1;;a",
	} {
		if k, ok := ParseKept(s); ok {
			t.Errorf("ParseKept(%q) = %+v, ok; want refused", s, k)
		}
	}
}

// TestKeptHuge: the longest values every algorithm has fit in KeptMaxLen,
// the room a write reserves before it knows them, and a huge entry still
// round-trips (the size limit is the kit's to apply, not the form's).
func TestKeptHuge(t *testing.T) {
	algs := []translate.ChecksumAlgorithm{translate.CRC32, translate.CRC32C, translate.CRC64NVME, translate.CRC64ECMA, translate.SHA1,
		translate.SHA256, translate.SHA512, translate.MD5, translate.XXHASH64, translate.XXHASH3, translate.XXHASH128}
	for n := 0; n <= len(algs); n++ {
		k := Kept{Annex: true, ETag: strings.Repeat("f", 32), Checksums: translate.Checksums{}, ChecksumType: translate.ChecksumComposite}
		for _, a := range algs[:n] {
			raw := make([]byte, a.Size())
			rand.Read(raw)
			k.Checksums[a] = translate.EncodeChecksum(raw)
		}
		if n == 0 {
			k.Checksums, k.ChecksumType = nil, ""
		}
		s, ok := k.Encode()
		if !ok || len(s) > KeptMaxLen(algs[:n], true) {
			t.Errorf("%d algorithms: Encode = %d bytes (ok %v), KeptMaxLen %d", n, len(s), ok, KeptMaxLen(algs[:n], true))
		}
		if got, ok := ParseKept(s); !ok || !reflect.DeepEqual(got, k) {
			t.Errorf("%d algorithms: round trip %+v, %v; want %+v", n, got, ok, k)
		}
	}
	big := Kept{ETag: strings.Repeat("a", 1<<16)}
	s, ok := big.Encode()
	if got, ok2 := ParseKept(s); !ok || !ok2 || got.ETag != big.ETag {
		t.Errorf("a 64 KiB ETag does not round-trip")
	}
}

// TestApplyKept: an entry replaces the ETag and checksums it holds and
// leaves the store's otherwise; TakeKept removes it from the metadata.
func TestApplyKept(t *testing.T) {
	store := translate.Checksums{translate.CRC32: "store="}
	for _, tc := range []struct {
		name      string
		entry     string
		wantETag  string
		wantSums  translate.Checksums
		wantType  translate.ChecksumType
		wantTaken bool
	}{
		{"values", "1;t=F;CRC64ECMA=pC6R6pnqaRg=", "abc", translate.Checksums{translate.CRC64ECMA: "pC6R6pnqaRg="}, translate.ChecksumFullObject, true},
		{"etag", "1;e=d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e", store, translate.ChecksumFullObject, true},
		{"nothing kept", "1", "abc", store, translate.ChecksumFullObject, true},
		{"another version", "2;x", "abc", store, translate.ChecksumFullObject, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := translate.ObjectInfo{ETag: "abc", Checksum: store.Clone(), ChecksumType: translate.ChecksumFullObject,
				Metadata: translate.Metadata{User: map[string]string{KeptMeta: tc.entry, "mine": "x"}}}
			k, ok := TakeKept(&info.Metadata)
			if ok != tc.wantTaken {
				t.Fatalf("TakeKept ok = %v", ok)
			}
			if ok {
				k.Apply(&info)
			}
			if info.ETag != tc.wantETag || !reflect.DeepEqual(info.Checksum, tc.wantSums) || info.ChecksumType != tc.wantType {
				t.Errorf("applied: %q %v %q", info.ETag, info.Checksum, info.ChecksumType)
			}
			if !reflect.DeepEqual(info.Metadata.User, map[string]string{"mine": "x"}) {
				t.Errorf("metadata after TakeKept: %v", info.Metadata.User)
			}
		})
	}
	m := translate.Metadata{User: map[string]string{KeptMeta: "1"}}
	if _, ok := TakeKept(&m); !ok || m.User != nil {
		t.Errorf("TakeKept left %v", m.User)
	}
}

// TestToStoreKept: the kit's entry is added when given, and a client's own
// metadata of that name never reaches the store.
func TestToStoreKept(t *testing.T) {
	b := &Backend{ab: Abilities{RedirectInMetadata: true, MaxMetadataSize: 64}}
	forged := translate.Metadata{User: map[string]string{KeptMeta: "1;CRC32=AAAAAA=="}}
	if got := b.toStore(forged, ""); got.User != nil {
		t.Errorf("forged entry kept: %v", got.User)
	}
	if got := b.toStore(forged, "1;a"); got.User[KeptMeta] != "1;a" {
		t.Errorf("entry = %v", got.User)
	}
	if forged.User[KeptMeta] != "1;CRC32=AAAAAA==" {
		t.Error("toStore changed its argument")
	}
	got := b.toStore(translate.Metadata{WebsiteRedirectLocation: "/x"}, "1")
	if !reflect.DeepEqual(got.User, map[string]string{KeptMeta: "1", RedirectMeta: "/x"}) {
		t.Errorf("with redirect: %v", got.User)
	}
	// 64 bytes: "babelgate-kept" (14) + client's 40 leaves 10.
	client := translate.Metadata{User: map[string]string{"k": strings.Repeat("v", 39)}}
	if !b.fits(client, 10) || b.fits(client, 11) {
		t.Errorf("fits: 10 bytes %v, 11 bytes %v; want true, false", b.fits(client, 10), b.fits(client, 11))
	}
	if b.entry(client, Kept{Annex: true}) != "1;a" || b.entry(client, Kept{ETag: strings.Repeat("a", 32)}) != "" {
		t.Error("entry does not follow fits")
	}
}
