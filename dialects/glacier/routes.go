package glacier

import (
	"net/http"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// path is a Glacier request path taken apart:
//
//	/{account}/vaults[/{vault}[/{kind}[/{id}[/{sub}]]]]
//	/{account}/{other...}    (data-retrieval policies, provisioned capacity)
type path struct {
	account string
	vaults  bool // the second segment is "vaults"
	vault   string
	kind    string // archives, multipart-uploads, jobs, or a vault sub-resource
	id      string
	sub     string // "output" for GetJobOutput
	extra   bool   // more segments than any operation has
}

func parsePath(p string) path {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var out path
	get := func(i int) string {
		if i < len(segs) {
			return segs[i]
		}
		return ""
	}
	out.account = get(0)
	out.vaults = get(1) == "vaults"
	if !out.vaults {
		out.kind = get(1)
		return out
	}
	out.vault, out.kind, out.id, out.sub = get(2), get(3), get(4), get(5)
	out.extra = len(segs) > 6
	return out
}

// handler is one operation's implementation.
type handler func(w http.ResponseWriter, r *dialects.Request, p path) error

// Resolve maps a request to its operation. Operations Glacier has that the
// gateway does not carry out (vault locks, notifications, tags, access
// policies, data-retrieval policies, provisioned capacity) resolve to an
// error in Glacier's terms after authentication.
func (d *Dialect) Resolve(r *dialects.Request) (dialects.Route, error) {
	p := parsePath(r.HTTP.URL.Path)
	op, h := d.route(r.HTTP.Method, p)
	if h == nil {
		return dialects.Route{Op: op}, d.unsupported(r.HTTP.Method, p)
	}
	return dialects.Route{Op: op, Handle: func(w http.ResponseWriter, r *dialects.Request) error {
		if err := d.checkAccount(r, p.account); err != nil {
			return err
		}
		return h(w, r, p)
	}}, nil
}

// route is the routing table (botocore glacier service-2.json "http"
// members). The neutral Op names the operation in logs and metrics.
func (d *Dialect) route(method string, p path) (translate.Op, handler) {
	if !p.vaults || p.extra || p.account == "" {
		return 0, nil
	}
	switch {
	case p.vault == "":
		if method == http.MethodGet {
			return translate.OpListBuckets, d.listVaults
		}
	case p.kind == "":
		switch method {
		case http.MethodPut:
			return translate.OpCreateBucket, d.createVault
		case http.MethodGet:
			return translate.OpHeadBucket, d.onVault(d.describeVault)
		case http.MethodDelete:
			return translate.OpDeleteBucket, d.onVault(d.deleteVault)
		}
	case p.kind == "archives" && p.sub == "":
		switch {
		case p.id == "" && method == http.MethodPost:
			return translate.OpPutObject, d.onVault(d.uploadArchive)
		case p.id != "" && method == http.MethodDelete:
			return translate.OpDeleteObject, d.onVault(d.deleteArchive)
		}
	case p.kind == "multipart-uploads" && p.sub == "":
		switch {
		case p.id == "" && method == http.MethodPost:
			return translate.OpCreateMultipartUpload, d.onVault(d.initiateUpload)
		case p.id == "" && method == http.MethodGet:
			return translate.OpListMultipartUploads, d.onVault(d.listUploads)
		case p.id != "" && method == http.MethodPut:
			return translate.OpUploadPart, d.onUpload(d.uploadPart)
		case p.id != "" && method == http.MethodGet:
			return translate.OpListParts, d.onUpload(d.listParts)
		case p.id != "" && method == http.MethodPost:
			return translate.OpCompleteMultipartUpload, d.onUpload(d.completeUpload)
		case p.id != "" && method == http.MethodDelete:
			return translate.OpAbortMultipartUpload, d.onUpload(d.abortUpload)
		}
	case p.kind == "jobs":
		switch {
		case p.id == "" && method == http.MethodPost:
			return translate.OpHeadObject, d.onVault(d.initiateJob)
		case p.id == "" && method == http.MethodGet:
			return translate.OpListObjects, d.onVault(d.listJobs)
		case p.id != "" && p.sub == "" && method == http.MethodGet:
			return translate.OpHeadObject, d.onJob(d.describeJob)
		case p.id != "" && p.sub == "output" && method == http.MethodGet:
			return translate.OpGetObject, d.onJob(d.getJobOutput)
		}
	}
	return 0, nil
}

// unsupportedKinds are Glacier's vault sub-resources the gateway does not
// serve (README: NotImplemented).
var unsupportedKinds = map[string]string{
	"notification-configuration": "Vault notifications",
	"access-policy":              "Vault access policies",
	"lock-policy":                "Vault locks",
	"tags":                       "Vault tags",
}

// unsupported is the error for a request no route serves: Glacier's
// answer to an unknown resource, or, for an operation Glacier has that the
// gateway does not implement, InvalidParameterValueException naming it
// (Glacier has no NotImplemented code; botocore raises the code it reads).
func (d *Dialect) unsupported(method string, p path) error {
	if p.vaults && p.vault != "" {
		if what, ok := unsupportedKinds[p.kind]; ok {
			return invalidParam(what + " are not supported by this Glacier endpoint.")
		}
		if p.kind == "jobs" && p.id == "select" {
			return invalidParam("Select jobs are not supported by this Glacier endpoint.")
		}
	}
	switch p.kind {
	case "policies":
		return invalidParam("Data retrieval policies are not supported by this Glacier endpoint.")
	case "provisioned-capacity":
		return invalidParam("Provisioned capacity is not supported by this Glacier endpoint.")
	}
	return &apiError{"UnknownOperationException", http.StatusBadRequest, "Unknown operation " + method + " " + strings.Join([]string{p.account, p.vault, p.kind}, "/")}
}

// checkAccount enforces the path's account id: "-" is the caller; any
// other id must be the caller's own (AccountID).
func (d *Dialect) checkAccount(r *dialects.Request, account string) error {
	if account == "-" {
		return nil
	}
	if r.Caller.Principal != nil && account == AccountID(r.Caller.Principal.AccessKey) {
		return nil
	}
	return &apiError{"AccessDeniedException", http.StatusForbidden, "Access denied: account " + account + " is not the caller's account."}
}
