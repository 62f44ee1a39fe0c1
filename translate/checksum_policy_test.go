package translate

import (
	"bytes"
	"io"
	"testing"
)

func TestCheckPartAlgorithm(t *testing.T) {
	full := UploadInfo{ChecksumAlgorithm: CRC32, ChecksumType: ChecksumFullObject}
	comp := UploadInfo{ChecksumAlgorithm: SHA1, ChecksumType: ChecksumComposite}
	tests := []struct {
		name   string
		upload UploadInfo
		client ChecksumAlgorithm
		want   string // "" for accepted
	}{
		{"no upload algorithm, none sent", UploadInfo{}, "", ""},
		{"no upload algorithm, crc32 sent", UploadInfo{}, CRC32, ""},
		{"same algorithm", full, CRC32, ""},
		{"full object computes a missing one", full, "", ""},
		{"composite needs one", comp, "", "Checksum Type mismatch occurred, expected checksum Type: sha1, actual checksum Type: null"},
		{"other algorithm", comp, CRC32C, "Checksum Type mismatch occurred, expected checksum Type: sha1, actual checksum Type: crc32c"},
		{"other algorithm on full object", full, XXHASH3, "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: xxhash3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPartAlgorithm(tt.upload, tt.client)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if te := AsError(err); te.Code != ErrInvalidRequest || te.Message != tt.want {
				t.Fatalf("got %v, want InvalidRequest %q", err, tt.want)
			}
		})
	}
}

func TestObjectAndWholeChecksum(t *testing.T) {
	a, b := bytes.Repeat([]byte("a"), 1000), bytes.Repeat([]byte("b"), 333)
	whole := append(append([]byte(nil), a...), b...)
	sizes := []int64{int64(len(a)), int64(len(b))}
	vals := func(alg ChecksumAlgorithm) []string { return []string{sumOf(t, alg, a), sumOf(t, alg, b)} }
	composite := func(alg ChecksumAlgorithm) string {
		s, err := CompositeChecksum(alg, vals(alg))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rules := &S3Rules
	tests := []struct {
		name     string
		upload   UploadInfo
		values   []string
		sent     Checksums
		wantAlg  ChecksumAlgorithm
		wantSum  string
		wantType ChecksumType
		wantErr  Code
		wantMsg  string
	}{
		{name: "full object crc32, right", upload: UploadInfo{ChecksumAlgorithm: CRC32, ChecksumType: ChecksumFullObject},
			values: vals(CRC32), sent: Checksums{CRC32: sumOf(t, CRC32, whole)}, wantAlg: CRC32, wantSum: sumOf(t, CRC32, whole), wantType: ChecksumFullObject},
		{name: "full object crc32, wrong", upload: UploadInfo{ChecksumAlgorithm: CRC32, ChecksumType: ChecksumFullObject},
			values: vals(CRC32), sent: Checksums{CRC32: sumOf(t, CRC32, a)}, wantErr: ErrChecksumMismatch,
			wantMsg: "The CRC32 you specified did not match the calculated checksum."},
		{name: "full object crc32c, composite value sent", upload: UploadInfo{ChecksumAlgorithm: CRC32C, ChecksumType: ChecksumFullObject},
			values: vals(CRC32C), sent: Checksums{CRC32C: composite(CRC32C)}, wantErr: ErrChecksumMismatch,
			wantMsg: "The CRC32C you specified did not match the calculated checksum."},
		{name: "composite sha256 with -N", upload: UploadInfo{ChecksumAlgorithm: SHA256, ChecksumType: ChecksumComposite},
			values: vals(SHA256), sent: Checksums{SHA256: composite(SHA256)}, wantAlg: SHA256, wantSum: composite(SHA256), wantType: ChecksumComposite},
		{name: "composite sha256 without -N", upload: UploadInfo{ChecksumAlgorithm: SHA256, ChecksumType: ChecksumComposite},
			values: vals(SHA256), sent: Checksums{SHA256: composite(SHA256)[:44]}, wantAlg: SHA256, wantSum: composite(SHA256), wantType: ChecksumComposite},
		{name: "composite xxhash128 wrong", upload: UploadInfo{ChecksumAlgorithm: XXHASH128, ChecksumType: ChecksumComposite},
			values: vals(XXHASH128), sent: Checksums{XXHASH128: sumOf(t, XXHASH128, whole)}, wantErr: ErrChecksumMismatch,
			wantMsg: "The XXHASH128 you specified did not match the calculated checksum."},
		{name: "default crc64nvme full object", upload: UploadInfo{}, values: vals(CRC64NVME),
			sent: Checksums{CRC64NVME: sumOf(t, CRC64NVME, whole)}, wantAlg: CRC64NVME, wantSum: sumOf(t, CRC64NVME, whole), wantType: ChecksumFullObject},
		{name: "no algorithm, legacy header ignored", upload: UploadInfo{}, values: vals(CRC64NVME),
			sent: Checksums{SHA1: sumOf(t, SHA1, whole)}, wantAlg: CRC64NVME, wantSum: sumOf(t, CRC64NVME, whole), wantType: ChecksumFullObject},
		{name: "no algorithm, new algorithm refused", upload: UploadInfo{}, values: vals(CRC64NVME),
			sent: Checksums{MD5: sumOf(t, MD5, whole)}, wantErr: ErrInvalidRequest,
			wantMsg: "Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: md5"},
		{name: "another algorithm than the upload's", upload: UploadInfo{ChecksumAlgorithm: CRC32, ChecksumType: ChecksumFullObject},
			values: vals(CRC32), sent: Checksums{CRC32C: sumOf(t, CRC32C, whole)}, wantErr: ErrInvalidRequest,
			wantMsg: "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: crc32c"},
		{name: "default missing on a part", upload: UploadInfo{}, values: []string{sumOf(t, CRC64NVME, a), ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := ObjectInfo{Checksum: Checksums{}}
			err := objectChecksum(&info, tt.upload, rules, tt.values, sizes)
			if err == nil {
				err = checkWholeChecksum(tt.sent, info, tt.upload, 2)
			}
			if tt.wantErr != 0 {
				if te := AsError(err); te.Code != tt.wantErr || te.Message != tt.wantMsg {
					t.Fatalf("got %v, want %v %q", err, tt.wantErr, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantAlg == "" {
				if len(info.Checksum) != 0 || info.ChecksumType != "" {
					t.Fatalf("checksum %v %s, want none", info.Checksum, info.ChecksumType)
				}
				return
			}
			if info.Checksum[tt.wantAlg] != tt.wantSum || info.ChecksumType != tt.wantType {
				t.Fatalf("got %v %s, want %s=%s %s", info.Checksum, info.ChecksumType, tt.wantAlg, tt.wantSum, tt.wantType)
			}
		})
	}
}

func TestNewBodyDefaultChecksum(t *testing.T) {
	data := []byte("hello")
	tests := []struct {
		name    string
		opts    BodyOptions
		part    bool
		upload  ChecksumAlgorithm
		want    []ChecksumAlgorithm
		without []ChecksumAlgorithm
	}{
		{name: "put, none chosen", want: []ChecksumAlgorithm{CRC64NVME, CRC64ECMA}},
		{name: "put, crc32 chosen", opts: BodyOptions{ClientAlgorithm: CRC32, Algorithms: []ChecksumAlgorithm{CRC32}},
			want: []ChecksumAlgorithm{CRC32}, without: []ChecksumAlgorithm{CRC64NVME}},
		{name: "part of an upload without algorithm", part: true, opts: BodyOptions{ClientAlgorithm: CRC32, Algorithms: []ChecksumAlgorithm{CRC32}},
			want: []ChecksumAlgorithm{CRC32, CRC64NVME}},
		{name: "part of a sha256 upload", part: true, upload: SHA256, want: []ChecksumAlgorithm{SHA256}, without: []ChecksumAlgorithm{CRC64NVME}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := newBody(BodyInput{Reader: bytes.NewReader(data), Size: int64(len(data)), Options: tt.opts}, &S3Rules, tt.part, tt.upload)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(b); err != nil {
				t.Fatal(err)
			}
			sums, _ := b.Sums()
			for _, a := range tt.want {
				if sums.Checksum[a] != sumOf(t, a, data) {
					t.Errorf("%s = %q", a, sums.Checksum[a])
				}
			}
			for _, a := range tt.without {
				if _, ok := sums.Checksum[a]; ok {
					t.Errorf("%s computed", a)
				}
			}
		})
	}
}

func TestBodyMismatchMessages(t *testing.T) {
	for _, a := range S3ChecksumAlgorithms {
		t.Run(string(a), func(t *testing.T) {
			wrong := sumOf(t, a, []byte("other"))
			b, err := NewBody(bytes.NewReader([]byte("data")), 4, BodyOptions{Expected: Checksums{a: wrong}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(b)
			te := AsError(err)
			if te.Code != ErrChecksumMismatch || te.Message != "The "+string(a)+" you specified did not match the calculated checksum." {
				t.Fatalf("got %v", err)
			}
		})
	}
	b, _ := NewBody(bytes.NewReader([]byte("abc")), 5, BodyOptions{})
	_, err := io.ReadAll(b)
	if te := AsError(err); te.Code != ErrIncompleteBody || te.Extra["NumberBytesExpected"] != "5" || te.Extra["NumberBytesProvided"] != "3" {
		t.Fatalf("short body: %v %v", err, te.Extra)
	}
}
