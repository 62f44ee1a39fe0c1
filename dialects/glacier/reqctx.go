package glacier

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// The request contexts: every operation on an existing vault starts by
// opening the vault (openVault), every operation on an upload by opening
// its upload ID too (openUploadID), every operation on a job by reading its
// record (readJob). The adapters below do that once, in that order, so
// that each check's error (code, status, message) is made in one place;
// the route table wraps the handlers in them.

// vaultOp is a request on an existing vault: the request, its path and
// the vault's bucket and record.
type vaultOp struct {
	r      *dialects.Request
	p      path
	bucket string
	rec    vaultRecord
}

// uploadOp is a request on one of the vault's uploads, the path's id.
type uploadOp struct {
	vaultOp
	u upload
}

// jobOp is a request on one of the vault's jobs, the path's id.
type jobOp struct {
	vaultOp
	j *jobRecord
}

// onVault opens the path's vault, then runs h.
func (d *Dialect) onVault(h func(http.ResponseWriter, *vaultOp) error) handler {
	return func(w http.ResponseWriter, r *dialects.Request, p path) error {
		bucket, rec, err := d.openVault(r, p.vault)
		if err != nil {
			return err
		}
		return h(w, &vaultOp{r: r, p: p, bucket: bucket, rec: rec})
	}
}

// onUpload opens the path's vault and upload ID, then runs h.
func (d *Dialect) onUpload(h func(http.ResponseWriter, *uploadOp) error) handler {
	return d.onVault(func(w http.ResponseWriter, v *vaultOp) error {
		u, err := d.openUploadID(v.bucket, v.p.id)
		if err != nil {
			return err
		}
		return h(w, &uploadOp{vaultOp: *v, u: u})
	})
}

// onJob opens the path's vault and reads its job, then runs h.
func (d *Dialect) onJob(h func(http.ResponseWriter, *jobOp) error) handler {
	return d.onVault(func(w http.ResponseWriter, v *vaultOp) error {
		j, err := d.readJob(v.r, v.bucket, v.p.id)
		if err != nil {
			return err
		}
		return h(w, &jobOp{vaultOp: *v, j: j})
	})
}

// uploadNotFound is Glacier's answer for an upload ID that names no
// upload (made up, altered, aborted or completed).
func uploadNotFound(id string) error {
	return notFound("The upload ID was not found: " + id)
}

// gone returns err, with the engine's NoSuchUpload (the upload was
// aborted or completed meanwhile) as uploadNotFound.
func (o *uploadOp) gone(err error) error {
	if translate.CodeOf(err) == translate.ErrNoSuchUpload {
		return uploadNotFound(o.p.id)
	}
	return err
}
