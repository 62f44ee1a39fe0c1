package glacier

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// The mapping of vaults and archives onto buckets and objects (README,
// "Glacier"):
//
//   - vault V is the bucket prefix+V when V is already a valid bucket name
//     once prefixed (lowercase letters, digits, '.', '-', starting and
//     ending with a letter or digit, no "..", at most 63 bytes in all);
//     any other name (uppercase, '_', too long) is the bucket
//     prefix+"-"+the first 24 hex digits of SHA-256(V). The two forms never
//     collide: a readable name starts with a letter or digit after the
//     prefix, a hashed one with '-'.
//   - the bucket holds the object .glacier/vault, a JSON record of the
//     vault's own name (ListVaults reads it back), and .glacier/jobs/...
//     for retrieval jobs;
//   - archive A is the object archives/A, with user metadata
//     glacier-description (x-amz-meta-glacier-description to S3 clients,
//     x-oss-meta-… to OSS) and its tree hash kept as the object's
//     SHA256TREE checksum.
const (
	gatewayPrefix  = ".glacier/" // the gateway's own records
	vaultRecordKey = ".glacier/vault"
	jobsPrefix     = ".glacier/jobs/"
	archivesPrefix = "archives/"
	metaDesc       = "glacier-description"
	metaPartSize   = "glacier-part-size"
)

var (
	prefixRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	vaultNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)
	readableRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
)

func checkPrefix(p string) error {
	if !prefixRE.MatchString(p) || len(p) > 40 {
		return fmt.Errorf("%q is not a valid bucket-name prefix: lowercase letters, digits and '-', starting with a letter or digit, at most 40 bytes", p)
	}
	return nil
}

// VaultBucket returns the bucket of vault name (see the mapping above).
func (d *Dialect) VaultBucket(name string) string {
	b := d.opts.VaultBucketPrefix + name
	if readableRE.MatchString(name) && len(b) <= 63 && !strings.Contains(b, "..") &&
		!strings.Contains(b, ".-") && !strings.Contains(b, "-.") {
		return b
	}
	sum := sha256.Sum256([]byte(name))
	return d.opts.VaultBucketPrefix + "-" + hex.EncodeToString(sum[:12])
}

func archiveKey(id string) string { return archivesPrefix + id }

// vaultRecord is the JSON of .glacier/vault.
type vaultRecord struct {
	VaultName    string
	CreationDate time.Time
}

func (d *Dialect) vaultARN(r *dialects.Request, vault string) string {
	account := ""
	if r.Caller.Principal != nil {
		account = AccountID(r.Caller.Principal.AccessKey)
	}
	return fmt.Sprintf("arn:aws:glacier:%s:%s:vaults/%s", d.opts.Region, account, vault)
}

// location is the path part of a Location header.
func location(p path, rest ...string) string {
	return "/" + strings.Join(append([]string{p.account, "vaults", p.vault}, rest...), "/")
}

func checkVaultName(name string) error {
	if !vaultNameRE.MatchString(name) {
		return invalidParam("Invalid vault name: " + name + ". Vault names are 1 to 255 characters: a-z, A-Z, 0-9, '_', '-' and '.'.")
	}
	return nil
}

// vaultNotFound is Glacier's answer for a missing vault.
func (d *Dialect) vaultNotFound(r *dialects.Request, vault string) error {
	return notFound("Vault not found for ARN: " + d.vaultARN(r, vault))
}

// openVault checks the vault exists (its bucket and record) and returns
// its bucket and record.
func (d *Dialect) openVault(r *dialects.Request, vault string) (string, vaultRecord, error) {
	if err := checkVaultName(vault); err != nil {
		return "", vaultRecord{}, err
	}
	bucket := d.VaultBucket(vault)
	rec, err := d.readVaultRecord(r, bucket)
	if code := translate.CodeOf(err); code == translate.ErrNoSuchBucket || code == translate.ErrNoSuchKey {
		return "", vaultRecord{}, d.vaultNotFound(r, vault)
	}
	return bucket, rec, err
}

func (d *Dialect) readVaultRecord(r *dialects.Request, bucket string) (vaultRecord, error) {
	var rec vaultRecord
	err := d.getJSON(r, bucket, vaultRecordKey, 64<<10, &rec)
	return rec, err
}

// getJSON reads a small JSON object of the gateway's through the engine.
func (d *Dialect) getJSON(r *dialects.Request, bucket, key string, max int64, v any) error {
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: bucket, Key: key})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, max))
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "reading "+key)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return translate.Wrap(translate.ErrInternal, err, "decoding "+key)
	}
	return nil
}

// putJSON stores a small JSON object of the gateway's through the engine.
func (d *Dialect) putJSON(r *dialects.Request, bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "encoding "+key)
	}
	_, err = d.cfg.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: bucket, Key: key,
		Metadata: translate.Metadata{ContentType: "application/json"},
		Body:     translate.BodyInput{Reader: bytes.NewReader(data), Size: int64(len(data))}})
	return err
}

// createVault: PUT /{account}/vaults/{vault}, 201 with Location. Creating
// an existing vault succeeds again (Glacier's CreateVault is idempotent).
func (d *Dialect) createVault(w http.ResponseWriter, r *dialects.Request, p path) error {
	if err := checkVaultName(p.vault); err != nil {
		return err
	}
	bucket := d.VaultBucket(p.vault)
	err := d.cfg.Engine.CreateBucket(r.HTTP.Context(), r.Caller, bucket)
	switch translate.CodeOf(err) {
	case 0:
		if err := d.putJSON(r, bucket, vaultRecordKey, vaultRecord{VaultName: p.vault, CreationDate: d.cfg.Now().UTC()}); err != nil {
			return err
		}
	case translate.ErrBucketAlreadyOwnedByYou:
		rec, rerr := d.readVaultRecord(r, bucket)
		if translate.CodeOf(rerr) == translate.ErrNoSuchKey {
			// a bucket made by another dialect: it becomes the vault
			rerr = d.putJSON(r, bucket, vaultRecordKey, vaultRecord{VaultName: p.vault, CreationDate: d.cfg.Now().UTC()})
		} else if rerr == nil && rec.VaultName != p.vault {
			return invalidParam("Vault name " + p.vault + " maps to the bucket of vault " + rec.VaultName + ".")
		}
		if rerr != nil {
			return rerr
		}
	default:
		return err
	}
	w.Header().Set("Location", location(p))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// vaultDescription is DescribeVaultOutput.
type vaultDescription struct {
	VaultARN          string
	VaultName         string
	CreationDate      string
	LastInventoryDate *string
	NumberOfArchives  int64
	SizeInBytes       int64
}

// describe counts the vault's archives (Glacier reports the last
// inventory's counts; the gateway counts at once).
func (d *Dialect) describe(r *dialects.Request, bucket string, rec vaultRecord) (vaultDescription, error) {
	out := vaultDescription{VaultARN: d.vaultARN(r, rec.VaultName), VaultName: rec.VaultName, CreationDate: isoTime(rec.CreationDate)}
	err := d.eachObject(r, bucket, archivesPrefix, func(o translate.ObjectInfo) {
		out.NumberOfArchives++
		out.SizeInBytes += o.Size
	})
	return out, err
}

// eachObject calls fn with every object of the bucket under prefix, in
// key order, page by page.
func (d *Dialect) eachObject(r *dialects.Request, bucket, prefix string, fn func(translate.ObjectInfo)) error {
	return d.eachPage(r, bucket, prefix, func(objs []translate.ObjectInfo) error {
		for _, o := range objs {
			fn(o)
		}
		return nil
	})
}

// eachPage calls fn with each page (at most 1000) of the objects of the
// bucket under prefix, in key order; an error from fn stops it and is
// returned.
func (d *Dialect) eachPage(r *dialects.Request, bucket, prefix string, fn func([]translate.ObjectInfo) error) error {
	q := translate.ListQuery{Prefix: prefix, MaxKeys: 1000}
	for {
		page, err := d.cfg.Engine.ListObjects(r.HTTP.Context(), r.Caller, bucket, q)
		if err != nil {
			return err
		}
		if err := fn(page.Objects); err != nil {
			return err
		}
		if !page.Truncated || len(page.Objects) == 0 {
			return nil
		}
		q.After = page.Objects[len(page.Objects)-1].Key
	}
}

func (d *Dialect) describeVault(w http.ResponseWriter, o *vaultOp) error {
	desc, err := d.describe(o.r, o.bucket, o.rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, desc)
}

// listVaults: GET /{account}/vaults?marker&limit (default and maximum 10
// per page in the model's documentation: "up to 10 items").
func (d *Dialect) listVaults(w http.ResponseWriter, r *dialects.Request, p path) error {
	limit, err := parseLimit(r, 10, 1000)
	if err != nil {
		return err
	}
	marker := r.Query.Get("marker")
	buckets, err := d.cfg.Engine.ListBuckets(r.HTTP.Context(), r.Caller)
	if err != nil {
		return err
	}
	type entry struct {
		bucket string
		rec    vaultRecord
	}
	var vaults []entry
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, d.opts.VaultBucketPrefix) {
			continue
		}
		rec, err := d.readVaultRecord(r, b.Name)
		if err != nil {
			continue // not a vault: a bucket of another dialect under the prefix
		}
		vaults = append(vaults, entry{b.Name, rec})
	}
	sort.Slice(vaults, func(i, j int) bool { return vaults[i].rec.VaultName < vaults[j].rec.VaultName })
	start := 0
	if marker != "" {
		start = sort.Search(len(vaults), func(i int) bool { return vaults[i].rec.VaultName > marker })
		if marker != "" && (start == 0 || vaults[start-1].rec.VaultName != marker) {
			return invalidParam("Invalid marker: " + marker)
		}
	}
	out := struct {
		VaultList []vaultDescription
		Marker    *string
	}{VaultList: []vaultDescription{}}
	for _, v := range vaults[start:] {
		if len(out.VaultList) == limit {
			m := out.VaultList[len(out.VaultList)-1].VaultName
			out.Marker = &m
			break
		}
		desc, err := d.describe(r, v.bucket, v.rec)
		if err != nil {
			return err
		}
		out.VaultList = append(out.VaultList, desc)
	}
	return writeJSON(w, http.StatusOK, out)
}

// deleteVault: DELETE, 204, only when the vault holds no archive (no
// object outside the gateway's own records, .glacier/, however many of
// those its jobs left); the gateway's own records and any in-progress
// uploads go with it. The bucket is listed page by page twice: to find it
// empty, then to delete the records, the vault record last.
func (d *Dialect) deleteVault(w http.ResponseWriter, o *vaultOp) error {
	r, p, bucket := o.r, o.p, o.bucket
	ctx := r.HTTP.Context()
	notEmpty := invalidParam("Vault not empty or recently written to: " + d.vaultARN(r, p.vault))
	err := d.eachPage(r, bucket, "", func(objs []translate.ObjectInfo) error {
		for _, o := range objs {
			if !strings.HasPrefix(o.Key, gatewayPrefix) {
				return notEmpty
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for {
		ups, err := d.cfg.Engine.ListMultipartUploads(ctx, r.Caller, bucket, translate.UploadsQuery{MaxUploads: 1000})
		if err != nil {
			return err
		}
		for i, u := range ups.Uploads {
			if err := d.cfg.Engine.AbortMultipartUpload(ctx, r.Caller, bucket, u.Key, ups.IDs[i]); err != nil && translate.CodeOf(err) != translate.ErrNoSuchUpload {
				return err
			}
		}
		if !ups.Truncated || len(ups.Uploads) == 0 {
			break
		}
	}
	// the vault record last, so that a failure leaves a vault to retry on
	err = d.eachPage(r, bucket, gatewayPrefix, func(objs []translate.ObjectInfo) error {
		var keys []string
		for _, o := range objs {
			if o.Key != vaultRecordKey {
				keys = append(keys, o.Key)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		_, err := d.cfg.Engine.DeleteObjects(ctx, r.Caller, bucket, keys)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := d.cfg.Engine.DeleteObjects(ctx, r.Caller, bucket, []string{vaultRecordKey}); err != nil {
		return err
	}
	if err := d.cfg.Engine.DeleteBucket(ctx, r.Caller, bucket); err != nil {
		if translate.CodeOf(err) == translate.ErrBucketNotEmpty {
			return notEmpty
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// parseLimit reads the limit query parameter: a positive integer, at most
// max; def when absent.
func parseLimit(r *dialects.Request, def, max int) (int, error) {
	s := r.Query.Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, invalidParam(fmt.Sprintf("Invalid limit: %s. The limit must be an integer from 1 to %d.", s, max))
	}
	return n, nil
}

// isoTime is Glacier's date form: ISO 8601 in UTC with milliseconds
// ("2012-03-20T17:03:43.221Z", protocols.md §4.1).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func writeJSON(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "encoding the response")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, err = w.Write(data)
	return err
}
