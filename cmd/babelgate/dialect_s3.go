package main

import (
	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3"
	"github.com/babelgate/babelgate/translate"
)

// dialectEnv is what every front dialect is built from.
type dialectEnv struct {
	cfg    *config.Config
	engine *translate.Engine
	creds  dialects.Credentials
}

// completeKeepAlive is how every dialect keeps a long
// CompleteMultipartUpload alive: server.complete_keepalive is the grace
// period, the interval the dialects' default. A nil option (a config built
// without defaults) means the dialects' defaults.
func (env dialectEnv) completeKeepAlive() *dialects.KeepAlive {
	ka := env.cfg.Server.CompleteKeepAlive
	if ka == nil {
		return nil
	}
	return &dialects.KeepAlive{Grace: ka.Duration}
}

// dialectFactories build the front dialects by name. Each dialect's file
// adds its own entry from init, so adding a dialect touches no shared file.
var dialectFactories = map[string]func(dialectEnv) dialects.Dialect{
	dialects.S3: func(env dialectEnv) dialects.Dialect {
		return s3.New(s3.Config{Engine: env.engine, Credentials: env.creds, Rules: env.cfg.S3Rules(),
			MaxSkew: env.cfg.Server.MaxSkew.Duration, Regions: env.cfg.Dialects.S3.Regions,
			OBSDomains: env.cfg.Dialects.OBS.Domains, OBSRegions: env.cfg.Dialects.OBS.Regions,
			CompleteKeepAlive: env.completeKeepAlive()})
	},
}

// dialectDomains returns each dialect's own virtual-host domains.
func dialectDomains(cfg *config.Config) map[string][]string {
	return map[string][]string{
		dialects.S3:  append(append([]string(nil), cfg.Server.Domains...), cfg.Dialects.S3.Domains...),
		dialects.OSS: cfg.Dialects.OSS.Domains,
		dialects.OBS: cfg.Dialects.OBS.Domains,
	}
}
