package dialects_test

import (
	"testing"

	"github.com/babelgate/babelgate/dialects/obs"
	"github.com/babelgate/babelgate/dialects/oss"
	"github.com/babelgate/babelgate/dialects/s3"
	"github.com/babelgate/babelgate/translate"
)

// The storage-class and SSE spellings live with each dialect
// (s3.Spellings, oss.Spellings, obs.Spellings); these tests check that
// they meet across dialects through the neutral values.

var (
	WireS3  = s3.Spellings
	WireOSS = oss.Spellings
	WireOBS = obs.Spellings
)

func TestStorageClassSpellings(t *testing.T) {
	tests := []struct {
		from     *translate.Wire
		in       string
		neutral  string
		s3, oss  string
		obs      string
		rejected bool
	}{
		{from: WireS3, in: "STANDARD", neutral: "", s3: "STANDARD", oss: "Standard", obs: "STANDARD"},
		{from: WireS3, in: "STANDARD_IA", neutral: "STANDARD_IA", s3: "STANDARD_IA", oss: "IA", obs: "WARM"},
		{from: WireOSS, in: "IA", neutral: "STANDARD_IA", s3: "STANDARD_IA", oss: "IA", obs: "WARM"},
		{from: WireOSS, in: "archive", neutral: "GLACIER", s3: "GLACIER", oss: "Archive", obs: "COLD"},
		{from: WireOBS, in: "COLD", neutral: "GLACIER", s3: "GLACIER", oss: "Archive", obs: "COLD"},
		{from: WireOSS, in: "DeepColdArchive", neutral: "DEEP_ARCHIVE", s3: "DEEP_ARCHIVE", oss: "ColdArchive", obs: "DEEP_ARCHIVE"},
		{from: WireS3, in: "GLACIER_IR", neutral: "GLACIER_IR", s3: "GLACIER_IR", oss: "IA", obs: "WARM"},
		{from: WireS3, in: "", neutral: "", s3: "STANDARD", oss: "Standard", obs: "STANDARD"},
		{from: WireS3, in: "WARM", rejected: true},
		{from: WireOBS, in: "IA", rejected: true},
		{from: WireOSS, in: "GLACIER", rejected: true},
	}
	for _, tt := range tests {
		n, ok := translate.ParseStorageClass(tt.from, tt.in)
		if ok == tt.rejected {
			t.Errorf("ParseStorageClass(%v, %q) ok = %v", tt.from, tt.in, ok)
			continue
		}
		if tt.rejected {
			continue
		}
		if n != tt.neutral {
			t.Errorf("ParseStorageClass(%v, %q) = %q, want %q", tt.from, tt.in, n, tt.neutral)
		}
		for w, want := range map[*translate.Wire]string{WireS3: tt.s3, WireOSS: tt.oss, WireOBS: tt.obs} {
			if got := translate.StorageClassFor(w, n); got != want {
				t.Errorf("StorageClassFor(%v, %q) = %q, want %q", w, n, got, want)
			}
		}
	}
}

func TestSSESpellings(t *testing.T) {
	tests := []struct {
		from         *translate.Wire
		in, neutral  string
		s3, oss, obs string
		rejected     bool
	}{
		{from: WireS3, in: "aws:kms", neutral: "aws:kms", s3: "aws:kms", oss: "KMS", obs: "kms"},
		{from: WireOSS, in: "KMS", neutral: "aws:kms", s3: "aws:kms", oss: "KMS", obs: "kms"},
		{from: WireOBS, in: "kms", neutral: "aws:kms", s3: "aws:kms", oss: "KMS", obs: "kms"},
		{from: WireOSS, in: "SM4", neutral: "oss:SM4", s3: "", oss: "SM4", obs: ""},
		{from: WireS3, in: "AES256", neutral: "AES256", s3: "AES256", oss: "AES256", obs: "AES256"},
		{from: WireS3, in: "SM4", rejected: true},
		{from: WireOBS, in: "aws:kms", rejected: true},
	}
	for _, tt := range tests {
		n, ok := translate.ParseSSE(tt.from, tt.in)
		if ok == tt.rejected || (!tt.rejected && n != tt.neutral) {
			t.Errorf("ParseSSE(%v, %q) = %q, %v", tt.from, tt.in, n, ok)
			continue
		}
		if tt.rejected {
			continue
		}
		for w, want := range map[*translate.Wire]string{WireS3: tt.s3, WireOSS: tt.oss, WireOBS: tt.obs} {
			if got := translate.SSEFor(w, n); got != want {
				t.Errorf("SSEFor(%v, %q) = %q, want %q", w, n, got, want)
			}
		}
	}
}
