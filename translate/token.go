package translate

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sealer turns a backend's upload ID into the upload ID a client sees, and
// back. Client IDs are sealed with AES-256-GCM under a key derived from the
// configured secret, bound to the bucket and key they were issued for, so a
// made-up, altered or transplanted ID fails to open (NoSuchUpload) and a
// client can never name another tenant's upload.
//
// Sealing is deterministic (the nonce is an HMAC of the plaintext, as in
// SIV constructions), so listing uploads returns the same IDs that
// CreateMultipartUpload handed out, from any gateway instance with the same
// secret.
type Sealer struct {
	aead   cipher.AEAD
	ivKey  []byte
	prefix string
}

const tokenVersion = 1

// NewSealer derives the sealing keys from secret, which must be at least 16
// bytes.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("upload ID secret must be at least 16 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("babelgate upload-id " + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("enc"))
	if err != nil {
		return nil, fmt.Errorf("upload ID cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("upload ID cipher: %w", err)
	}
	return &Sealer{aead: aead, ivKey: derive("iv")}, nil
}

// UploadRef is what a client's upload ID carries: which backend holds the
// upload and the backend's own ID for it.
type UploadRef struct {
	Backend string
	ID      string
}

func aad(bucket, key string) []byte { return []byte(bucket + "\x00" + key) }

// Seal returns the client upload ID for ref, bound to bucket and key.
func (s *Sealer) Seal(bucket, key string, ref UploadRef) string {
	plain := make([]byte, 0, 3+len(ref.Backend)+len(ref.ID))
	plain = append(plain, tokenVersion, byte(len(ref.Backend)))
	plain = append(plain, ref.Backend...)
	plain = append(plain, ref.ID...)
	m := hmac.New(sha256.New, s.ivKey)
	m.Write(aad(bucket, key))
	m.Write([]byte{0})
	m.Write(plain)
	nonce := m.Sum(nil)[:s.aead.NonceSize()]
	out := s.aead.Seal(append([]byte(nil), nonce...), nonce, plain, aad(bucket, key))
	return base64.RawURLEncoding.EncodeToString(out)
}

// Open returns the reference sealed in id, or ErrNoSuchUpload if id was not
// issued by Seal for this bucket and key with the same secret.
func (s *Sealer) Open(bucket, key, id string) (UploadRef, error) {
	fail := &Error{Code: ErrNoSuchUpload, Bucket: bucket, Key: key, UploadID: id,
		Message: "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(id)
	ns := s.aead.NonceSize()
	if err != nil || len(raw) < ns+s.aead.Overhead()+2 || len(id) > 4096 {
		return UploadRef{}, fail
	}
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], aad(bucket, key))
	if err != nil || len(plain) < 2 || plain[0] != tokenVersion || int(plain[1]) > len(plain)-2 {
		return UploadRef{}, fail
	}
	n := int(plain[1])
	return UploadRef{Backend: string(plain[2 : 2+n]), ID: string(plain[2+n:])}, nil
}
