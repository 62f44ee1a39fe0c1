package glacier

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// apiError is an error in Glacier's own terms, for failures the dialect
// finds itself (a bad Content-Range, an unknown job).
type apiError struct {
	Code    string
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// neutralCodes name Glacier's own codes in the neutral vocabulary, for the
// request log and metrics (translate.AsError finds it through Unwrap).
var neutralCodes = map[string]translate.Code{
	"InvalidParameterValueException":      translate.ErrInvalidArgument,
	"MissingParameterValueException":      translate.ErrInvalidRequest,
	"ResourceNotFoundException":           translate.ErrNoSuchKey,
	"AccessDeniedException":               translate.ErrAccessDenied,
	"MissingAuthenticationTokenException": translate.ErrMissingSecurityHeader,
	"IncompleteSignatureException":        translate.ErrAuthorizationHeaderMalformed,
	"SerializationException":              translate.ErrMalformedXML,
	"UnknownOperationException":           translate.ErrNotImplemented,
}

// Unwrap returns the neutral form of the error.
func (e *apiError) Unwrap() error {
	code, ok := neutralCodes[e.Code]
	if !ok {
		code = translate.ErrInvalidRequest
	}
	return &translate.Error{Code: code, Message: e.Message}
}

func invalidParam(msg string) *apiError {
	return &apiError{"InvalidParameterValueException", http.StatusBadRequest, msg}
}

func missingParam(msg string) *apiError {
	return &apiError{"MissingParameterValueException", http.StatusBadRequest, msg}
}

func notFound(msg string) *apiError {
	return &apiError{"ResourceNotFoundException", http.StatusNotFound, msg}
}

// errorTable maps every neutral code to Glacier's wire code and status.
// Codes and statuses: botocore's glacier service-2.json error shapes
// (InvalidParameterValueException 400, MissingParameterValueException 400,
// ResourceNotFoundException 404, RequestTimeoutException 408,
// ServiceUnavailableException 500, LimitExceededException 400,
// PolicyEnforcedException 400) and the Glacier error-response page
// (AccessDeniedException 403, InvalidSignatureException 403,
// MissingAuthenticationTokenException 400, ExpiredTokenException 403,
// ThrottlingException 400, BadRequest 400); protocols.md §4.4, §4.x.4.
var errorTable = map[translate.Code]dialects.WireForm{
	translate.ErrInternal:                     {Code: "ServiceUnavailableException", Status: 500, Message: "Service unavailable, try again later."},
	translate.ErrNotImplemented:               {Code: "InvalidParameterValueException", Status: 400, Message: "This operation is not supported by this Glacier endpoint."},
	translate.ErrAccessDenied:                 {Code: "AccessDeniedException", Status: 403, Message: "Access denied."},
	translate.ErrInvalidAccessKeyID:           {Code: "UnrecognizedClientException", Status: 403, Message: "The security token included in the request is invalid: the access key does not exist."},
	translate.ErrSignatureDoesNotMatch:        {Code: "InvalidSignatureException", Status: 403, Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."},
	translate.ErrRequestTimeTooSkewed:         {Code: "InvalidSignatureException", Status: 403, Message: "Signature expired: the request time is too far from the server time."},
	translate.ErrExpiredPresignedRequest:      {Code: "InvalidSignatureException", Status: 403, Message: "Signature expired."},
	translate.ErrMissingSecurityHeader:        {Code: "MissingAuthenticationTokenException", Status: 400, Message: "Missing Authentication Token"},
	translate.ErrAuthorizationHeaderMalformed: {Code: "IncompleteSignatureException", Status: 400, Message: "The Authorization header is malformed."},
	translate.ErrAuthorizationQueryMalformed:  {Code: "IncompleteSignatureException", Status: 400, Message: "The request's signature parameters are malformed."},
	translate.ErrInvalidArgument:              {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid parameter value."},
	translate.ErrInvalidRequest:               {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid request."},
	translate.ErrInvalidBucketName:            {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid vault name."},
	translate.ErrInvalidKey:                   {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid archive id."},
	translate.ErrNoSuchBucket:                 {Code: "ResourceNotFoundException", Status: 404, Message: "Vault not found."},
	translate.ErrBucketAlreadyExists:          {Code: "AccessDeniedException", Status: 403, Message: "The vault's bucket belongs to someone else."},
	translate.ErrBucketAlreadyOwnedByYou:      {Code: "InvalidParameterValueException", Status: 400, Message: "The vault already exists."},
	translate.ErrBucketNotEmpty:               {Code: "InvalidParameterValueException", Status: 400, Message: "Vault not empty or recently written to."},
	translate.ErrNoSuchKey:                    {Code: "ResourceNotFoundException", Status: 404, Message: "Archive not found."},
	translate.ErrNoSuchUpload:                 {Code: "ResourceNotFoundException", Status: 404, Message: "Multipart upload not found."},
	translate.ErrInvalidPart:                  {Code: "InvalidParameterValueException", Status: 400, Message: "The archive's parts are missing or do not match."},
	translate.ErrInvalidPartOrder:             {Code: "InvalidParameterValueException", Status: 400, Message: "The archive's parts are out of order."},
	translate.ErrEntityTooSmall:               {Code: "InvalidParameterValueException", Status: 400, Message: "A part other than the last is smaller than the part size."},
	translate.ErrEntityTooLarge:               {Code: "InvalidParameterValueException", Status: 400, Message: "The content is larger than allowed."},
	translate.ErrInvalidDigest:                {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid checksum."},
	translate.ErrBadDigest:                    {Code: "InvalidParameterValueException", Status: 400, Message: "Checksum mismatch."},
	translate.ErrContentSHA256Mismatch:        {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid x-amz-content-sha256: the linear hash does not match the payload."},
	translate.ErrChecksumMismatch:             {Code: "InvalidParameterValueException", Status: 400, Message: "Checksum mismatch: the SHA256 tree hash does not match the payload."},
	translate.ErrIncompleteBody:               {Code: "InvalidParameterValueException", Status: 400, Message: "The payload is shorter than its Content-Length."},
	translate.ErrMissingContentLength:         {Code: "MissingParameterValueException", Status: 400, Message: "Required parameter missing: Content-Length"},
	translate.ErrMalformedXML:                 {Code: "SerializationException", Status: 400, Message: "The request body could not be parsed."},
	translate.ErrInvalidRange:                 {Code: "InvalidParameterValueException", Status: 400, Message: "The requested range is not satisfiable."},
	translate.ErrPreconditionFailed:           {Code: "InvalidParameterValueException", Status: 400, Message: "A precondition failed."},
	translate.ErrNotModified:                  {Code: "InvalidParameterValueException", Status: 400, Message: "Not modified."},
	translate.ErrMethodNotAllowed:             {Code: "InvalidParameterValueException", Status: 400, Message: "The method is not allowed on this resource."},
	translate.ErrServiceUnavailable:           {Code: "ServiceUnavailableException", Status: 500, Message: "Service unavailable, try again later."},
	translate.ErrSlowDown:                     {Code: "ThrottlingException", Status: 400, Message: "Rate exceeded."},
	translate.ErrRequestTimeout:               {Code: "RequestTimeoutException", Status: 408, Message: "Request timed out: the payload was not received in time."},
	translate.ErrInvalidObjectState:           {Code: "InvalidParameterValueException", Status: 400, Message: "The archive is in a state that forbids the call."},
	translate.ErrKeyTooLong:                   {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid archive id."},
	translate.ErrMetadataTooLarge:             {Code: "InvalidParameterValueException", Status: 400, Message: "The archive description is too long."},
	translate.ErrInvalidStorageClass:          {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid storage class."},
	translate.ErrMalformedTrailer:             {Code: "InvalidParameterValueException", Status: 400, Message: "Malformed payload framing."},
	translate.ErrInvalidChunkSize:             {Code: "InvalidParameterValueException", Status: 400, Message: "Malformed payload framing: only the last chunk may be smaller than 8192 bytes."},
	translate.ErrInvalidEncryptionAlgorithm:   {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid encryption parameter."},
	translate.ErrInvalidCopySource:            {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid copy source."},
	translate.ErrTooManyParts:                 {Code: "InvalidParameterValueException", Status: 400, Message: "Too many parts: an archive has at most 10,000 parts."},
	translate.ErrInsufficientStorage:          {Code: "LimitExceededException", Status: 400, Message: "The storage behind this vault is full."},
	translate.ErrObjectExists:                 {Code: "InvalidParameterValueException", Status: 400, Message: "The object already exists."},
	translate.ErrInvalidPartNumber:            {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid part: the range is beyond the archive's parts."},
	translate.ErrInvalidRedirectLocation:      {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid parameter value."},
	translate.ErrConditionalRequestConflict:   {Code: "InvalidParameterValueException", Status: 400, Message: "A conflicting operation is in progress; retry."},
	// Bucket policies, CORS and browser forms have no Glacier operation;
	// these are never answered by it, but every code has a form.
	translate.ErrMalformedPolicy:         {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid policy."},
	translate.ErrNoSuchBucketPolicy:      {Code: "ResourceNotFoundException", Status: 404, Message: "The policy does not exist."},
	translate.ErrNoSuchCORSConfiguration: {Code: "ResourceNotFoundException", Status: 404, Message: "The CORS configuration does not exist."},
	translate.ErrCORSForbidden:           {Code: "AccessDeniedException", Status: 403, Message: "This CORS request is not allowed."},
	translate.ErrInvalidPolicyDocument:   {Code: "InvalidParameterValueException", Status: 400, Message: "Invalid policy document."},
	translate.ErrMalformedPOSTRequest:    {Code: "InvalidParameterValueException", Status: 400, Message: "Malformed POST request."},
}

// lookup implements the table for dialects.TableProblems.
func lookup(c translate.Code) (dialects.WireForm, bool) {
	w, ok := errorTable[c]
	return w, ok
}

// wireError returns the Glacier form of err.
func wireError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	te := translate.AsError(err)
	w, ok := errorTable[te.Code]
	if !ok {
		w = errorTable[translate.ErrInternal]
	}
	msg := w.Message
	switch te.Code {
	case translate.ErrInternal, translate.ErrServiceUnavailable, translate.ErrAccessDenied, translate.ErrSignatureDoesNotMatch,
		translate.ErrChecksumMismatch, translate.ErrContentSHA256Mismatch, translate.ErrInvalidAccessKeyID:
		// keep the table's text: no internals, and the texts clients expect
	default:
		if te.Message != "" {
			msg = te.Message
		}
	}
	return &apiError{Code: w.Code, Status: w.Status, Message: msg}
}

// errorBody is Glacier's error document.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

// EncodeError writes err as {"code","message","type"} with
// x-amzn-ErrorType (which botocore reads first).
func (d *Dialect) EncodeError(w http.ResponseWriter, r *dialects.Request, err error) {
	ae := wireError(err)
	typ := "Client"
	if ae.Status >= 500 {
		typ = "Server"
	}
	body, _ := json.Marshal(errorBody{Code: ae.Code, Message: ae.Message, Type: typ})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-ErrorType", ae.Code)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(ae.Status)
	w.Write(body)
}
