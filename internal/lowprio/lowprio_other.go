//go:build !linux

package lowprio

import "errors"

func lower() {}

func priority() (int, error) {
	return 0, errors.New("lowprio: thread priorities are not supported here")
}
