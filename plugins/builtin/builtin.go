// Package builtin is the one list of the modules compiled into the yiwang
// binary. Each registers itself with sdk.Register in its init, as Caddy's
// modules do; importing this package is what puts them in the registry,
// and `yiwang plugin NAME` serves one of them as a plugin process. A
// module not listed here is an external one: its own binary, started by
// the host from the path the county office gives (see plugins/README.md).
package builtin

import (
	_ "yiwang/plugins/disclosure" // 政府信息公开
	_ "yiwang/plugins/interview"  // 在线访谈
	_ "yiwang/plugins/mailbox"    // 领导信箱
	_ "yiwang/plugins/topics"     // 专题专栏
)
