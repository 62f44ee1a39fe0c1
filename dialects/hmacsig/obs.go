package hmacsig

// obsSubResources is what the OBS Go SDK signs in its native OBS mode: the
// same allowedResourceParameterNames as in its AWS-v2 mode (compared
// lowercase), plus every x-obs-* parameter instead of every x-amz-* one
// (huaweicloud-sdk-go-obs conf.go formatUrls; protocols.md §3.2).
var obsSubResources = SubResources{FoldCase: true, Prefixes: []string{"x-obs-"}, Names: obsAWSSubResources.Names}

// OBS is Huawei Cloud OBS's native signature: "Authorization: OBS
// <AK>:<sig>" with x-obs-* headers canonicalised and x-obs-date replacing
// Date, or the presigned query AccessKeyId/Expires/Signature. The canonical
// resource is "/bucket/" + the URL-encoded key as the SDK sends it (the
// path as sent, with the bucket prepended for virtual-hosted requests),
// then the signed sub-resources with decoded (raw) values (protocols.md
// §3.2, §3.3).
var OBS = &Scheme{
	Name:           "OBS",
	HeaderPrefix:   "x-obs-",
	DateHeader:     "x-obs-date",
	QueryAccessKey: "AccessKeyId",
	SubResources:   []SubResources{obsSubResources},
}
