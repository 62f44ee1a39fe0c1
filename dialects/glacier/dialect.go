// Package glacier serves the Amazon Glacier vault API (2012-06-01,
// protocols.md §4): SigV4 with the credential-scope service "glacier",
// paths "/{accountId}/vaults/{vaultName}/...", JSON bodies and JSON errors
// {"code","message","type"}. A vault is a bucket and an archive an object
// (see Mapping); multipart uploads, tree hashes and retrieval jobs are
// carried out on the engine like every other dialect's operations.
//
// The package registers itself (dialects.Register): its detection rows, its
// config section (Options) and its addressing; nothing else in the gateway
// names it.
package glacier

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/sigv4"
	"github.com/babelgate/babelgate/translate"
)

// Name is the dialect's name, and its config section (dialects.glacier).
const Name = "glacier"

// APIVersion is the x-amz-glacier-version Glacier speaks and echoes.
const APIVersion = "2012-06-01"

// Rules are Glacier's multipart limits (protocols.md §4.2): up to 10,000
// parts; the part size is fixed per upload (1 MiB × 2^n up to 4 GiB), and
// the engine's minimum non-last part is set to it per upload; an
// UploadArchive body is at most 4 GiB. Vault buckets are named by the
// dialect's mapping, never by clients, so no reserved names apply.
var Rules = translate.Rules{
	MinPartNumber: 1, MaxPartNumber: 10000,
	MinPartSize:    1 << 20,
	MaxPartSize:    4 << 30,
	MaxObjectSize:  4 << 30,
	MaxKeyLength:   1024,
	AlwaysChecksum: []translate.ChecksumAlgorithm{translate.SHA256Tree},
}

// Options is the dialects.glacier section of the config file.
type Options struct {
	// VaultBucketPrefix is put before a vault's name to name its bucket;
	// default "glacier-". Lowercase letters, digits and '-', starting with
	// a letter or digit, at most 40 bytes.
	VaultBucketPrefix string `yaml:"vault_bucket_prefix"`
	// JobDelay is how long a retrieval job stays InProgress before it
	// Succeeds; default 0 (at once). A Go duration ("4h", "30s").
	JobDelay string `yaml:"job_delay"`
	// Region is the region in vault ARNs; default "us-east-1".
	Region string `yaml:"region"`
	// CompleteIdempotency is how long a repeated
	// CompleteMultipartUpload of a completed upload answers with the same
	// archive; default "24h".
	CompleteIdempotency string `yaml:"complete_idempotency"`

	jobDelay, idempotency time.Duration
}

// DefaultOptions returns the defaults.
func DefaultOptions() *Options {
	return &Options{VaultBucketPrefix: "glacier-", JobDelay: "0s", Region: "us-east-1", CompleteIdempotency: "24h"}
}

// Check implements dialects.OptionsChecker.
func (o *Options) Check() (string, error) {
	if err := checkPrefix(o.VaultBucketPrefix); err != nil {
		return "vault_bucket_prefix", err
	}
	d, err := time.ParseDuration(o.JobDelay)
	if err != nil || d < 0 {
		return "job_delay", fmt.Errorf("invalid duration %q, want a non-negative Go duration such as 30s", o.JobDelay)
	}
	o.jobDelay = d
	d, err = time.ParseDuration(o.CompleteIdempotency)
	if err != nil || d < 0 {
		return "complete_idempotency", fmt.Errorf("invalid duration %q, want a non-negative Go duration such as 24h", o.CompleteIdempotency)
	}
	o.idempotency = d
	if o.Region == "" {
		return "region", fmt.Errorf("must not be empty")
	}
	return "", nil
}

func init() {
	dialects.Register(dialects.Plugin{
		Name:       Name,
		Order:      40,
		NewOptions: func() any { return DefaultOptions() },
		Build: func(env dialects.Env, opts any) (dialects.Dialect, error) {
			o, _ := opts.(*Options)
			if o == nil {
				o = DefaultOptions()
			}
			return New(Config{Engine: env.Engine, Credentials: env.Credentials, MaxSkew: env.MaxSkew,
				UploadIDSecret: env.UploadIDSecret, Options: *o})
		},
		Rows: DetectRows(),
	})
}

// DetectRows are Glacier's detection rows (protocols.md §5): a SigV4
// request scoped to the service "glacier", or one carrying
// x-amz-glacier-version, which every Glacier SDK sends. Both come before
// the AWS-signature row, which would otherwise give them to S3; no request
// that works today has either signal.
func DetectRows() []dialects.DetectRow {
	return []dialects.DetectRow{
		{Name: "SigV4 scoped to glacier", Match: glacierScoped, Order: dialects.OrderAWSSignature - 20},
		{Name: "x-amz-glacier-version header", Match: func(r *http.Request) bool {
			return r.Header.Get("x-amz-glacier-version") != ""
		}, Order: dialects.OrderAWSSignature - 10},
	}
}

// glacierScoped reports a SigV4 credential whose scope names glacier, in
// the Authorization header or the X-Amz-Credential query parameter.
func glacierScoped(r *http.Request) bool {
	cred := ""
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "AWS4-HMAC-SHA256 ") {
		if _, rest, ok := strings.Cut(a, "Credential="); ok {
			cred, _, _ = strings.Cut(rest, ",")
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	return len(parts) == 5 && parts[3] == "glacier" && parts[4] == "aws4_request"
}

// Config configures the dialect.
type Config struct {
	Engine      *translate.Engine
	Credentials dialects.Credentials
	MaxSkew     time.Duration
	// UploadIDSecret seals the dialect's upload IDs (the config's
	// server.upload_id_secret).
	UploadIDSecret []byte
	Options        Options
	// Now returns the current time (tests); nil means time.Now.
	Now func() time.Time
}

// Dialect is the Glacier dialect. It is safe for concurrent use.
type Dialect struct {
	cfg    Config
	opts   Options
	v4     *sigv4.Verifier
	sealer *translate.Sealer
}

// New returns the dialect; it fails on invalid options.
func New(cfg Config) (*Dialect, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	o := cfg.Options
	if field, err := o.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	secret := append(append([]byte(nil), cfg.UploadIDSecret...), " glacier"...)
	s, err := translate.NewSealer(secret)
	if err != nil {
		return nil, fmt.Errorf("glacier: %w", err)
	}
	d := &Dialect{cfg: cfg, opts: o, sealer: s}
	d.v4 = &sigv4.Verifier{Service: "glacier", MaxSkew: cfg.MaxSkew, Now: cfg.Now,
		Lookup: func(ak string) (string, bool) {
			s, _, ok := cfg.Credentials.Lookup(ak)
			return s, ok
		},
		PayloadHash: bodyHash}
	return d, nil
}

// Name implements dialects.Dialect.
func (d *Dialect) Name() string { return Name }

// Begin sets the headers every Glacier response carries.
func (d *Dialect) Begin(w http.ResponseWriter, r *dialects.Request) {
	h := w.Header()
	h.Set("x-amzn-RequestId", r.ID)
	h.Set("Date", d.cfg.Now().UTC().Format(http.TimeFormat))
	if r.HTTP.Header.Get("x-amz-glacier-version") != "" {
		h.Set("x-amz-glacier-version", APIVersion)
	}
}

// Address implements dialects.Addresser: the vault's bucket and, for a
// request naming an archive, its key.
func (d *Dialect) Address(r *http.Request) (bucket, key string) {
	p := parsePath(r.URL.Path)
	if p.vault != "" {
		bucket = d.VaultBucket(p.vault)
	}
	if p.kind == "archives" && p.id != "" {
		key = archiveKey(p.id)
	}
	return bucket, key
}

// Authenticate verifies SigV4 (service glacier) and sets the payload.
func (d *Dialect) Authenticate(r *dialects.Request) (translate.Caller, error) {
	hr := r.HTTP
	if !sigv4.IsHeaderAuth(hr) && !sigv4.IsQueryAuth(hr) {
		if hr.Header.Get("Authorization") != "" {
			return translate.Caller{}, &apiError{"IncompleteSignatureException", http.StatusBadRequest, "Authorization header requires the AWS4-HMAC-SHA256 signature."}
		}
		return translate.Caller{}, &apiError{"MissingAuthenticationTokenException", http.StatusBadRequest, "Missing Authentication Token"}
	}
	r.AuthKind = "sigv4"
	a, err := d.v4.Verify(hr)
	if err != nil {
		return translate.Caller{}, err
	}
	// after Verify: PayloadHash may have replaced the body
	r.Payload = dialects.Payload{Reader: hr.Body, Size: hr.ContentLength}
	if a.Streaming() {
		return translate.Caller{}, &apiError{"InvalidParameterValueException", http.StatusBadRequest, "aws-chunked payloads are not accepted by Glacier."}
	}
	r.PayloadMode = "unsigned"
	if len(a.PayloadHash) == 64 {
		r.PayloadMode = "signed"
		r.Payload.SHA256 = a.PayloadHash
	}
	_, p, _ := d.cfg.Credentials.Lookup(a.AccessKey)
	rules := Rules
	return translate.Caller{Principal: p, Rules: &rules}, nil
}

// maxHashedBody bounds the body read to compute the payload hash of a
// request that does not send x-amz-content-sha256 (Glacier's JSON
// requests: botocore signs the body's hash without sending it).
const maxHashedBody = 1 << 20

// bodyHash reads a small body to its end, returns its SHA-256 and puts the
// bytes back for the handler.
func bodyHash(r *http.Request) (string, error) {
	if r.Body == nil || r.ContentLength == 0 {
		return sigv4.EmptySHA256, nil
	}
	if r.ContentLength > maxHashedBody || r.Header.Get("x-amz-sha256-tree-hash") != "" {
		// an upload must send its linear hash ("required for authorization")
		return "", &apiError{"MissingParameterValueException", http.StatusBadRequest, "Required parameter missing: x-amz-content-sha256"}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxHashedBody+1))
	if err != nil {
		return "", translate.Wrap(translate.ErrIncompleteBody, err, "reading the request body")
	}
	if len(data) > maxHashedBody {
		return "", &apiError{"MissingParameterValueException", http.StatusBadRequest, "Required parameter missing: x-amz-content-sha256"}
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// AccountID is the caller's Glacier account id: twelve decimal digits
// derived from the access key (the first 8 bytes of SHA-256("babelgate
// glacier account " + access key), modulo 10^12, zero-padded). A path's
// account id must be "-" or this.
func AccountID(accessKey string) string {
	sum := sha256.Sum256([]byte("babelgate glacier account " + accessKey))
	return fmt.Sprintf("%012d", binary.BigEndian.Uint64(sum[:8])%1_000_000_000_000)
}
