package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// identity is the development credential and upload-ID secret, created on
// the first start in development mode and kept beside the data so that a
// restart accepts the same credential and continues the same uploads.
type identity struct {
	AccessKey      string `json:"access_key"`
	SecretKey      string `json:"secret_key"`
	UploadIDSecret string `json:"upload_id_secret"`
}

// devIdentityFile is the identity's file inside the data directory. Its
// name starts with '.', which no bucket name can.
const devIdentityFile = ".babelgate-dev.json"

func devIdentity(dataDir string) (identity, error) {
	path := filepath.Join(dataDir, devIdentityFile)
	var id identity
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &id); err != nil || id.AccessKey == "" || len(id.UploadIDSecret) < 16 {
			return id, fmt.Errorf("development identity %s is damaged; delete it to make a new one", path)
		}
		return id, nil
	case !errors.Is(err, fs.ErrNotExist):
		return id, fmt.Errorf("reading development identity: %w", err)
	}
	id = identity{AccessKey: "BG" + randomString(18, upperAlnum), SecretKey: randomString(40, mixedAlnum),
		UploadIDSecret: randomString(48, mixedAlnum)}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return id, fmt.Errorf("creating data directory: %w", err)
	}
	data, _ = json.MarshalIndent(id, "", "  ")
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return id, fmt.Errorf("saving development identity: %w", err)
	}
	return id, nil
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
