from tickersim.cli import main

raise SystemExit(main())
