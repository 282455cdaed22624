package disclosure

import (
	"testing"

	"yiwang/plugins/sdk/sdktest"
)

func TestMain(m *testing.M) { sdktest.Main(m) }
