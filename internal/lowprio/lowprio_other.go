//go:build !linux

package lowprio

import "errors"

func lower(int) {}

func priority(int) (int, error) {
	return 0, errors.New("lowprio: thread priorities are not supported here")
}

func threadID() int { return 0 }
