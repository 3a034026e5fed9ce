package main

import (
	"math"
	"time"
)

// checkTimeout refuses a --timeout that would end the run before it starts.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usageError("--timeout %s: expected a positive duration such as 5m", d)
	}
	return nil
}

// checkLifetime keeps a message's lifetime within the run: a message that
// outlives --timeout could never be seen to expire and be replaced, so the
// run would only wait for the timeout.
func checkLifetime(lifetime, timeout time.Duration) error {
	if lifetime < time.Second {
		return usageError("--message-lifetime %s: give at least 1s", lifetime)
	}
	if err := checkExpiry("--message-lifetime", lifetime); err != nil {
		return err
	}
	if timeout > 0 && lifetime >= timeout {
		return usageError("--message-lifetime %s: must be shorter than --timeout (%s), so that a message lost on the way can be replaced in time", lifetime, timeout)
	}
	return nil
}

// checkExpiry refuses a validity that ends past what a message's 32-bit
// expiry time can hold (2106), which would otherwise wrap to the past.
func checkExpiry(flag string, d time.Duration) error {
	if time.Now().Add(d).Unix() > math.MaxUint32 {
		return usageError("%s %s: a message cannot be valid past %s", flag, d, time.Unix(math.MaxUint32, 0).UTC().Format(time.DateOnly))
	}
	return nil
}
