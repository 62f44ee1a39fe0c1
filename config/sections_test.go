package config

import "github.com/babelgate/babelgate/translate"

// The limits sections as cmd registers them for the S3, OSS and OBS
// dialects (their plugins' Order and Rules); this package names no
// dialect, its tests do.
func init() {
	RegisterDialectSection("s3", DialectSection{Order: 10, Rules: &translate.S3Rules})
	RegisterDialectSection("oss", DialectSection{Order: 20, Rules: &translate.OSSRules})
	RegisterDialectSection("obs", DialectSection{Order: 30, Rules: &translate.OBSRules})
}

// s3Rules are the effective rules of the s3 section.
func (c *Config) s3Rules() translate.Rules {
	r, _ := c.DialectRules("s3")
	return r
}
