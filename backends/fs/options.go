package fs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/babelgate/babelgate/backends"
)

// Validate implements backends.Validator: root is required and must be a
// directory this process can use, or one it can create (its nearest
// existing ancestor is a directory it may write). Nothing is created.
func (o *Options) Validate() error {
	if o.Root == "" {
		return &backends.OptionError{Option: "root", Msg: "required"}
	}
	abs, err := filepath.Abs(o.Root)
	if err != nil {
		return &backends.OptionError{Option: "root", Msg: err.Error()}
	}
	for dir := abs; ; {
		st, err := os.Stat(dir)
		switch {
		case err == nil && !st.IsDir():
			return &backends.OptionError{Option: "root", Msg: fmt.Sprintf("%s is not a directory", dir)}
		case err == nil:
			if err := accessible(dir, dir != abs); err != nil {
				return &backends.OptionError{Option: "root", Msg: err.Error()}
			}
			return nil
		case errors.Is(err, iofs.ErrPermission):
			return &backends.OptionError{Option: "root", Msg: err.Error()}
		}
		// Missing, or below a file (ENOTDIR): look at the parent.
		parent := filepath.Dir(dir)
		if parent == dir {
			return &backends.OptionError{Option: "root", Msg: "no part of the path exists"}
		}
		dir = parent
	}
}
