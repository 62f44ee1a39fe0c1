package main

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		err        bool
	}{
		// proc(5): utime and stime are fields 14 and 15, in clock ticks.
		{"plain", "1234 (minio) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 100 0 0", 3250 * time.Millisecond, false},
		{"name with spaces and parens", "99 (a (b) c) R 1 2 3 4 5 6 7 8 9 10 7 3 0 0", 100 * time.Millisecond, false},
		{"short", "1 (x) S 1 2", 0, true},
		{"no name", "garbage", 0, true},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 3 0 0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.stat)
			if (err != nil) != tt.err || got != tt.want {
				t.Fatalf("parseStatCPU = %v, %v; want %v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestParseHWM(t *testing.T) {
	got, err := parseHWM(bufio.NewScanner(strings.NewReader("Name:\tminio\nVmPeak:\t  999 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 1000 kB\n")))
	if err != nil || got != 2048<<10 {
		t.Fatalf("parseHWM = %d, %v; want %d", got, err, 2048<<10)
	}
	if _, err := parseHWM(bufio.NewScanner(strings.NewReader("Name:\tx\n"))); err == nil {
		t.Fatal("parseHWM without a VmHWM line: no error")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.5, time.Millisecond}}
	for _, tt := range tests {
		if got := percentile(d, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile of one = %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of none = %v", got)
	}
	if d[0] != 100*time.Millisecond {
		t.Error("percentile sorted its argument in place")
	}
}

func TestPick(t *testing.T) {
	all := []string{"a", "b", "c"}
	got, err := pick("c, a", all)
	if err != nil || !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("pick = %v, %v; want [a c] in all's order", got, err)
	}
	if _, err := pick("a,z", all); err == nil {
		t.Fatal("pick of an unknown name: no error")
	}
}

func TestSampleFigures(t *testing.T) {
	s := &sample{bytes: 1 << 30, ops: 4, wall: 2 * time.Second, frontCPU: 3 * time.Second, frontHWM: 10}
	s.merge(&sample{bytes: 1 << 30, ops: 4, wall: 2 * time.Second, frontCPU: time.Second, frontHWM: 30, storeHWM: 5})
	if got := s.perGiB(s.frontCPU); got != 2 {
		t.Errorf("perGiB = %v, want 2", got)
	}
	if got := s.mibps(); got != 512 {
		t.Errorf("mibps = %v, want 512", got)
	}
	if got := s.perOp(s.frontCPU); got != 500 {
		t.Errorf("perOp = %v ms, want 500", got)
	}
	if s.frontHWM != 30 || s.storeHWM != 5 {
		t.Errorf("peaks %d %d, want the highest (30, 5)", s.frontHWM, s.storeHWM)
	}
}

// TestProxyKeepsHost: the reverse proxy forwards the Host header the client
// signed, path and query unchanged, and adds no X-Forwarded-For.
func TestProxyKeepsHost(t *testing.T) {
	var got *http.Request
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Clone(r.Context()) }))
	defer store.Close()
	u, _ := url.Parse(store.URL)
	front := httptest.NewServer(newProxy(u))
	defer front.Close()
	req, _ := http.NewRequest(http.MethodPut, front.URL+"/bucket/key?partNumber=1&uploadId=x", strings.NewReader("body"))
	req.Host = "client.example:1234"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got == nil || got.Host != "client.example:1234" || got.URL.RequestURI() != "/bucket/key?partNumber=1&uploadId=x" || got.Header.Get("X-Forwarded-For") != "" {
		t.Fatalf("store saw %+v", got)
	}
}

// TestPayloadModesOnTheWire: over plain HTTP, aws-sdk-go-v2 signs the
// payload's SHA-256 of an UploadPart that carries a CRC32 checksum even
// with the SDK's swap to UNSIGNED-PAYLOAD alone (its checksum middleware
// hashes the payload itself); the benchmark's unsigned mode must send
// UNSIGNED-PAYLOAD for it and for a PutObject, and its signed mode a hex
// SHA-256, with the CRC32 header in both.
func TestPayloadModesOnTheWire(t *testing.T) {
	var seen, crcs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			seen = append(seen, r.Header.Get("X-Amz-Content-Sha256"))
			crcs = append(crcs, r.Header.Get("X-Amz-Checksum-Crc32"))
		}
		w.Header().Set("ETag", `"0"`)
	}))
	defer srv.Close()
	cl := newClients()
	c := &config{key: "probe", bucket: "b", front: &server{addr: strings.TrimPrefix(srv.URL, "http://")}}
	s := cl.client(c)
	ctx := t.Context()
	for _, u := range []bool{false, true} {
		if _, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"),
			Body: bytes.NewReader(cl.data[:1024]), ContentLength: aws.Int64(1024)}, payloadMode(u)...); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("b"), Key: aws.String("k"), UploadId: aws.String("u"),
			PartNumber: aws.Int32(1), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			Body: bytes.NewReader(cl.data[:1024]), ContentLength: aws.Int64(1024)}, payloadMode(u)...); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkSeen(seen); err != nil {
		t.Fatal(err)
	}
	if crcs[1] == "" || crcs[3] == "" {
		t.Fatalf("UploadPart CRC32 headers %q, want one in both modes", crcs)
	}
}

func TestDefaultConfigsLeaveOutOptIns(t *testing.T) {
	def := defaultConfigKeys()
	for _, k := range optInKeys {
		if slices.Contains(def, k) || !slices.Contains(configKeys(), k) {
			t.Fatalf("opt-in %q: in defaults %v / known %v", k, def, configKeys())
		}
	}
	if len(def)+len(optInKeys) != len(configKeys()) {
		t.Fatalf("defaults %v + opt-ins %v != all %v", def, optInKeys, configKeys())
	}
}
