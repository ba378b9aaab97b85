from __future__ import annotations

import os
import sys

# Never report to AWS: SAM CLI's code records usage events and, with telemetry enabled
# (~/.aws-sam/metadata.json), sends them.
os.environ["SAM_CLI_TELEMETRY"] = "0"
# The emulator never calls AWS: botocore's optional CRT (~70 ms of imports) is not loaded.
sys.modules.setdefault("awscrt", None)  # type: ignore[arg-type, unused-ignore]

from emulator.cli import main  # noqa: E402

raise SystemExit(main())
