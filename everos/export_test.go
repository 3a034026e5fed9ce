package everos

import "time"

// SetWebsocketIdle sets how long c keeps a websocket no subscription uses.
func SetWebsocketIdle(c *Client, d time.Duration) { c.wsIdle = d }
