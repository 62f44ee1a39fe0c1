package translate

import "testing"

func TestSealerRoundTripAndForgery(t *testing.T) {
	s, err := NewSealer([]byte("0123456789abcdef-secret"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSealer([]byte("another secret of enough length"))
	ref := UploadRef{Backend: "local", ID: "00ff11ee"}
	id := s.Seal("bkt", "dir/key", ref)
	if id != s.Seal("bkt", "dir/key", ref) {
		t.Fatal("sealing is not deterministic")
	}
	got, err := s.Open("bkt", "dir/key", id)
	if err != nil || got != ref {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	last := []byte(id)
	last[len(last)-1] ^= 1 // may only touch the unused low bits
	flipped := []byte(id)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name, bucket, key, id string
		s                     *Sealer
	}{
		{"other key", "bkt", "dir/key2", id, s},
		{"other bucket", "bkt2", "dir/key", id, s},
		{"altered", "bkt", "dir/key", string(flipped), s},
		{"made up", "bkt", "dir/key", "2~Xyz.made-up", s},
		{"empty", "bkt", "dir/key", "", s},
		{"other secret", "bkt", "dir/key", id, other},
		{"truncated", "bkt", "dir/key", id[:len(id)-3], s},
		{"last character changed", "bkt", "dir/key", string(last), s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.s.Open(tt.bucket, tt.key, tt.id); CodeOf(err) != ErrNoSuchUpload {
				t.Fatalf("got %v, want NoSuchUpload", err)
			}
		})
	}
}
