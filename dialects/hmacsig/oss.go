package hmacsig

// ossV2SubResources is alibabacloud-oss-go-sdk-v2's
// requiredSignedParametersMap (oss/signer/v1.go) plus every "x-oss-"
// parameter, which that signer also signs (protocols.md §2.2).
var ossV2SubResources = SubResources{BareEmptyValues: true, Prefixes: []string{"x-oss-"}, Names: setOf(
	"acl", "bucketInfo", "location", "stat", "delete", "append", "tagging", "objectMeta", "uploads", "uploadId",
	"partNumber", "security-token", "position", "response-content-type", "response-content-language",
	"response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding",
	"restore", "callback", "callback-var", "versions", "versioning", "versionId", "sequential",
	"continuation-token", "regionList", "cloudboxes", "symlink",
)}

// ossLegacySubResources is aliyun-oss-go-sdk's signKeyList (oss/conn.go),
// compared exactly; it signs no other parameter.
var ossLegacySubResources = SubResources{BareEmptyValues: true, Names: setOf(
	"acl", "uploads", "location", "cors", "logging", "website", "referer", "lifecycle", "delete", "append",
	"tagging", "objectMeta", "uploadId", "partNumber", "security-token", "position", "img", "style",
	"styleName", "replication", "replicationProgress", "replicationLocation", "cname", "bucketInfo", "comp",
	"qos", "live", "status", "vod", "startTime", "endTime", "symlink", "x-oss-process",
	"response-content-type", "x-oss-traffic-limit", "response-content-language", "response-expires",
	"response-cache-control", "response-content-disposition", "response-content-encoding", "udf", "udfName",
	"udfImage", "udfId", "udfImageDesc", "udfApplication", "udfApplicationLog", "restore", "callback",
	"callback-var", "qosInfo", "policy", "stat", "encryption", "versions", "versioning", "versionId",
	"requestPayment", "x-oss-request-payer", "sequential", "inventory", "inventoryId", "continuation-token",
	"asyncFetch", "worm", "wormId", "wormExtend", "withHashContext", "x-oss-enable-md5", "x-oss-enable-sha1",
	"x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx", "transferAcceleration", "regionList",
	"cloudboxes", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
	"metaQuery", "resourceGroup", "rtc", "x-oss-async-process", "responseHeader",
)}

// OSS is Alibaba Cloud OSS signature V1 ("OSS ak:sig", or OSSAccessKeyId,
// Expires and Signature in the query; protocols.md §2.2–2.3): x-oss-*
// headers, x-oss-date or else Date as the time (OSS accepts either: ali-oss,
// the Node.js SDK, sends only x-oss-date; the Go SDKs send Date), and a
// canonical resource of "/bucket/" + the raw decoded key whether the
// request was path-style or virtual-hosted. Signatures from either OSS Go
// SDK's sub-resource list are accepted.
var OSS = &Scheme{
	Name:             "OSS",
	HeaderPrefix:     "x-oss-",
	DateHeader:       "x-oss-date",
	QueryAccessKey:   "OSSAccessKeyId",
	SubResources:     []SubResources{ossV2SubResources, ossLegacySubResources},
	DecodedResource:  true,
	AccessKeyElement: "OSSAccessKeyId",
}
