from metaflow_expert.cli import main

raise SystemExit(main())
